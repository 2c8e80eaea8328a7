// Optimizer: the base of every optimizer. Parameters live in groups, each with its own
// hyperparameters; per-parameter state (moment estimates, step counts) is kept in a map
// keyed by the parameter tensor. The layout of state dicts follows PyTorch's: parameters
// are numbered by position across groups and state keys use PyTorch's names
// (`exp_avg`, `momentum_buffer`, ...), so optimizer checkpoints move between the two.
import { Tensor, tidy, noGrad, keep, isFloatingDType } from '../torch/index.js';

/** One entry of a parameter's optimizer state: a tensor, or a number such as the step count. */
export type StateValue = Tensor | number;
/**
 * A parameter's optimizer state in general form (what state dicts and checkpoints hold).
 * Each optimizer names its own fields with a type alias (`SGDState`, `AdamState`), which
 * is what its `state` map holds.
 */
export type ParamState = Record<string, StateValue>;
/** State of optimizers that count steps per parameter (Adam and the adaptive family). */
export type SteppedState = { step: number };

/** Hyperparameters every optimizer has, plus the values learning-rate schedules record (as PyTorch does). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  weightDecay: number;
  /** Set by schedules: the learning rate they start from. */
  initialLr?: number;
  /** Set by OneCycleLR. */
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
  /** Momentum of the optimizers that have one (SGD, RMSprop); OneCycleLR cycles it. */
  momentum?: number;
  /** Adam's and AdamW's moment decay rates; OneCycleLR cycles beta1. */
  betas?: [number, number];
}

/** What a caller passes for a group: the parameters, and any hyperparameter that differs from the defaults. */
export type ParamGroupInput<G extends ParamGroup = ParamGroup> = { params: Tensor[] } & Partial<Omit<G, 'params'>>;
export type GroupDefaults<G extends ParamGroup> = Omit<G, 'params'>;

/** A group in a state dict: its hyperparameters and the positions of its parameters. */
export type SavedParamGroup = Record<string, unknown> & { params: number[] };

export interface OptimizerStateDict<S extends ParamState = ParamState> {
  /** Per-parameter state by parameter position (only parameters that have state). */
  state: Map<number, S>;
  paramGroups: SavedParamGroup[];
}

/**
 * G is the optimizer's parameter group (its hyperparameters) and S its per-parameter
 * state, so `new Adam(ps).paramGroups[0].betas` and `adam.state.get(p)?.exp_avg` are typed.
 * Every optimizer is an `Optimizer` (of ParamGroup and ParamState), which is what
 * schedules and training loops take.
 */
export abstract class Optimizer<G extends ParamGroup = ParamGroup, S extends ParamState = ParamState> {
  readonly defaults: GroupDefaults<G>;
  readonly paramGroups: G[] = [];
  readonly state = new Map<Tensor, S>();

  constructor(params: Tensor[] | ParamGroupInput<G>[], defaults: GroupDefaults<G>) {
    this.defaults = defaults;
    if (params instanceof Tensor || !Array.isArray(params)) {
      throw new TypeError(`${this.name}: params must be an array of Tensors or of parameter groups, got ${describe(params)}`);
    }
    if (params.length === 0) throw new Error(`${this.name}: got an empty parameter list`);
    if (isTensorList(params)) this.addParamGroup({ params } as ParamGroupInput<G>);
    else for (const g of params) this.addParamGroup(g);
  }

  protected get name(): string { return this.constructor.name; }

  /** Adds a group (e.g. layers unfrozen while fine-tuning); missing hyperparameters come from the defaults. */
  addParamGroup(input: ParamGroupInput<G>): void {
    if (input === null || typeof input !== 'object' || input instanceof Tensor || Array.isArray(input)) {
      throw new TypeError(`${this.name}.addParamGroup: expected an object { params, ...hyperparameters }, got ${describe(input)}`);
    }
    const groupNo = this.paramGroups.length;
    const params = input.params as unknown;
    if (!Array.isArray(params)) {
      throw new TypeError(`${this.name}: parameter group ${groupNo}: params must be an array of Tensors, got ${describe(params)}`);
    }
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: parameter group ${groupNo}: params[${i}] is ${describe(p)}, not a Tensor`);
      if (!p.isLeaf) throw new Error(`${this.name}: parameter group ${groupNo}: params[${i}] is not a leaf tensor (it was computed from other tensors), so it cannot be optimized`);
    });
    if (new Set(params).size !== params.length) throw new Error(`${this.name}: parameter group ${groupNo} lists a parameter twice`);
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p))) throw new Error(`${this.name}: parameter group ${groupNo} has parameters that are already in another group`);
    const group = { ...this.defaults, ...input, params: [...params] } as G;
    for (const [k, v] of Object.entries(group)) {
      if (v === undefined) throw new Error(`${this.name}: parameter group ${groupNo} does not set '${k}' and it has no default`);
    }
    this.checkGroup(group, groupNo);
    this.paramGroups.push(group);
  }

  /** Rejects hyperparameters outside their valid range; subclasses add their own checks. */
  protected checkGroup(g: G, groupNo: number): void {
    this.checkRange(groupNo, 'lr', g.lr, 0);
    this.checkRange(groupNo, 'weightDecay', g.weightDecay, 0);
  }

  protected checkRange(groupNo: number, field: string, value: unknown, min: number, max = Infinity): void {
    const ok = typeof value === 'number' && value >= min && value <= max;
    if (!ok) {
      const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
      throw new RangeError(`${this.name}: invalid ${field} ${String(value)} in parameter group ${groupNo} (must be a number ${range})`);
    }
  }

  /**
   * One update of every parameter that has a gradient (parameters without one are
   * skipped, as in PyTorch). Runs without autograd, in place, and frees its temporaries.
   */
  step(): void {
    noGrad(() => tidy(() => {
      for (const group of this.paramGroups) {
        const params: Tensor[] = [];
        const grads: Tensor[] = [];
        const states: S[] = [];
        for (const p of group.params) {
          const g = p.grad;
          if (g === undefined) continue;
          params.push(p);
          grads.push(g);
          states.push(this.stateOf(p, group));
        }
        if (params.length > 0) this.updateGroup(group, params, grads, states);
      }
    }));
  }

  /**
   * Updates one group's parameters in place. Called inside tidy and noGrad: temporaries
   * are freed afterwards, and new state tensors must be passed to keep().
   */
  protected abstract updateGroup(group: G, params: Tensor[], grads: Tensor[], states: S[]): void;

  /**
   * A parameter's state before its first update (e.g. zero moment estimates). Tensors
   * made here must be passed to keep(). Fields typed optional may be created later.
   */
  protected abstract initState(p: Tensor, group: G): S;

  /** The parameter's state, made by initState on first use. */
  protected stateOf(p: Tensor, group: G): S {
    let s = this.state.get(p);
    if (s === undefined) {
      s = this.initState(p, group);
      this.state.set(p, s);
    }
    return s;
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /**
   * The state in PyTorch's layout. Tensors are the optimizer's own (not copies), as in
   * PyTorch; loadStateDict copies what it loads.
   */
  stateDict(): OptimizerStateDict<S> {
    const position = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const saved: SavedParamGroup = { params: [] };
      for (const [k, v] of Object.entries(g)) if (k !== 'params') saved[k] = Array.isArray(v) ? [...v] : v;
      for (const p of g.params) {
        if (!position.has(p)) position.set(p, position.size);
        saved.params.push(position.get(p)!);
      }
      return saved;
    });
    const state = new Map<number, S>();
    for (const [p, s] of this.state) {
      const i = position.get(p);
      if (i !== undefined && Object.keys(s).length > 0) state.set(i, { ...s });
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from stateDict() (or a PyTorch optimizer's, whose snake_case
   * hyperparameter names are accepted). Group and parameter counts must match; state
   * tensors are copied to each parameter's device (and dtype, for floating point).
   */
  loadStateDict(sd: OptimizerStateDict | { state: Record<string, ParamState>; paramGroups: SavedParamGroup[] }): void {
    const where = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new TypeError(`${where}: expected { state, paramGroups }, got ${describe(sd)}`);
    }
    const saved = sd.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(`${where}: the state dict has ${saved.length} parameter group(s), this optimizer has ${this.paramGroups.length}`);
    }
    const byPosition = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!.params;
      if (!Array.isArray(sg.params) || sg.params.length !== own.length) {
        throw new Error(`${where}: parameter group ${gi} has ${Array.isArray(sg.params) ? sg.params.length : 'no'} parameter(s) in the state dict, ${own.length} in this optimizer`);
      }
      sg.params.forEach((pos, i) => byPosition.set(Number(pos), own[i]!));
    });

    const entries: [number, ParamState][] = sd.state instanceof Map
      ? [...sd.state.entries()].map(([k, v]) => [Number(k), v])
      : Object.entries(sd.state).map(([k, v]) => [Number(k), v]);
    const groupOf = new Map<Tensor, G>();
    for (const g of this.paramGroups) for (const p of g.params) groupOf.set(p, g);
    const restored = new Map<Tensor, S>();
    noGrad(() => {
      for (const [pos, s] of entries) {
        const p = byPosition.get(pos);
        if (p === undefined) throw new Error(`${where}: state for parameter ${pos}, which is in no parameter group of the state dict`);
        restored.set(p, this.completeState(this.copyState(s, p, `${where}: state of parameter ${pos}`), p, groupOf.get(p)!));
      }
    });

    const groups = saved.map((sg, gi) => {
      // Hyperparameters missing from the saved group (an older or PyTorch checkpoint) keep their defaults.
      const g: Record<string, unknown> = { ...this.defaults };
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') g[camelCase(k)] = Array.isArray(v) ? [...v] : v;
      g.params = this.paramGroups[gi]!.params;
      this.checkGroup(g as G, gi);
      return g as G;
    });
    groups.forEach((g, i) => { this.paramGroups[i] = g; });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }

  /**
   * A loaded state with the fields it lacks (an older or PyTorch checkpoint) taken from
   * initState, so that the state map only holds complete states.
   */
  private completeState(loaded: ParamState, p: Tensor, group: G): S {
    const init = this.initState(p, group);
    for (const [k, v] of Object.entries(init)) if (k in loaded && v instanceof Tensor) v.dispose();
    // Keys are PyTorch's state names, which each optimizer's S declares.
    return { ...init, ...loaded } as S;
  }

  private copyState(s: ParamState, p: Tensor, where: string): ParamState {
    const out: ParamState = {};
    for (const [k, v] of Object.entries(s)) {
      if (v === null || v === undefined) continue; // PyTorch's SGD saves momentum_buffer None
      if (typeof v === 'number') {
        out[k] = v;
      } else if (v instanceof Tensor) {
        if (k === 'step') {
          out[k] = v.item();
          continue;
        }
        const a = v.shape, b = p.shape;
        if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
          throw new Error(`${where}: '${k}' has shape [${a}], the parameter has shape [${b}]`);
        }
        const dtype = isFloatingDType(p.dtype) && isFloatingDType(v.dtype) ? p.dtype : v.dtype;
        out[k] = keep(v.to({ dtype, device: p.device }, { copy: true }));
      } else {
        throw new TypeError(`${where}: '${k}' is ${describe(v)}, expected a Tensor or a number`);
      }
    }
    return out;
  }
}

function isTensorList(v: unknown[]): v is Tensor[] {
  return v.every((p) => p instanceof Tensor);
}

function camelCase(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return `a Tensor of shape [${v.shape}]`;
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : typeof v;
}
