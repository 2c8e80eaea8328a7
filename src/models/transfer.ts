// Transfer learning: swap the classification head, load pretrained weights around it,
// freeze the backbone, and release it stage by stage with smaller learning rates for
// earlier (more generic) layers.
import { Tensor } from '../torch/index.js';
import { Module, Linear } from '../nn/index.js';
import { checkPositiveInt } from './options.js';
import { hasTransferLayout } from './transfer-layout.js';

/** Heads of torchvision-style families, tried in order for models that declare none. */
const KNOWN_HEADS = ['fc', 'classifier.6', 'classifier.1', 'classifier', 'head'];

function tryLinear(model: Module, path: string): Linear | null {
  try {
    const m = model.getSubmodule(path);
    return m instanceof Linear ? m : null;
  } catch {
    return null;
  }
}

/** Dotted path of the model's final Linear layer (its classification head). */
export function headPath(model: Module): string {
  if (hasTransferLayout(model)) return model.headPath;
  for (const p of KNOWN_HEADS) if (tryLinear(model, p)) return p;
  const linears = [...model.namedModules()].filter(([, m]) => m instanceof Linear);
  if (!linears.length) throw new Error(`headPath: ${model.constructor.name} has no Linear layer to treat as its head`);
  return linears[linears.length - 1]![0];
}

function matchesPrefix(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

/**
 * Replaces the head with a freshly initialised Linear(inFeatures, numClasses) on the
 * old head's device and dtype, and returns it.
 */
export function replaceHead(model: Module, numClasses: number): Linear {
  checkPositiveInt(numClasses, 'replaceHead: numClasses');
  const path = headPath(model);
  const old = tryLinear(model, path);
  if (!old) throw new Error(`replaceHead: '${path}' of ${model.constructor.name} is not a Linear layer`);
  const head = new Linear(old.inFeatures, numClasses, { bias: old.bias !== null });
  if (old.weight.device !== 'cpu') head.to(old.weight.device);
  if (old.weight.dtype !== 'float32') head.to(old.weight.dtype);
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? model : model.getSubmodule(path.slice(0, dot));
  parent.setAttr(path.slice(dot + 1), head);
  return head;
}

export interface LoadPretrainedOptions {
  /** Throw on missing, unexpected or mismatched keys instead of reporting them. */
  strict?: boolean;
  /** Leave the head untouched (it usually has a different number of classes). Default true. */
  skipHead?: boolean;
}

export interface PretrainedLoadResult {
  /** The model's keys the state dict lacks (head keys excluded when skipped). */
  missingKeys: string[];
  /** State-dict keys the model does not have. */
  unexpectedKeys: string[];
  /** Keys present in both but with different shapes; left at their current values. */
  mismatchedKeys: string[];
  /** Head keys deliberately not loaded. */
  skippedKeys: string[];
}

/** Copies matching weights from a (torchvision-named) state dict into the model and reports what did not match. */
export function loadPretrained(model: Module, stateDict: Map<string, Tensor> | Record<string, Tensor>,
  opts: LoadPretrainedOptions = {}): PretrainedLoadResult {
  const strict = opts.strict ?? false;
  const skipHead = opts.skipHead ?? true;
  const src = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
  const own = model.stateDict();
  const head = skipHead ? headPath(model) : null;
  const isHead = (k: string) => head !== null && matchesPrefix(k, head);

  const skippedKeys = [...src.keys()].filter(isHead);
  const missingKeys = [...own.keys()].filter((k) => !isHead(k) && !src.has(k));
  const unexpectedKeys = [...src.keys()].filter((k) => !isHead(k) && !own.has(k));
  const mismatchedKeys: string[] = [];
  const mismatchDetails: string[] = [];
  const usable = new Map<string, Tensor>();
  for (const [k, v] of src) {
    const dst = own.get(k);
    if (!dst || isHead(k)) continue;
    const same = dst.shape.length === v.shape.length && dst.shape.every((d, i) => d === v.shape[i]);
    if (same) usable.set(k, v);
    else {
      mismatchedKeys.push(k);
      mismatchDetails.push(`${k}: model [${dst.shape.join(', ')}], state dict [${v.shape.join(', ')}]`);
    }
  }
  if (strict && (missingKeys.length || unexpectedKeys.length || mismatchedKeys.length)) {
    throw new Error(`loadPretrained: state dict does not match ${model.constructor.name}` +
      (missingKeys.length ? `\n  missing keys: ${missingKeys.join(', ')}` : '') +
      (unexpectedKeys.length ? `\n  unexpected keys: ${unexpectedKeys.join(', ')}` : '') +
      (mismatchDetails.length ? `\n  shape mismatches: ${mismatchDetails.join('; ')}` : ''));
  }
  model.loadStateDict(usable, false);
  return { missingKeys, unexpectedKeys, mismatchedKeys, skippedKeys };
}

/**
 * Makes only the head trainable and returns its parameters. Batch-norm layers in the
 * backbone still update their running statistics in train mode; call eval() on the
 * backbone (or the model) to keep them fixed as well.
 */
export function freezeBackbone(model: Module): Tensor[] {
  const head = headPath(model);
  model.freeze();
  model.unfreeze(head);
  return model.trainableParameters();
}

/** Parameter-name prefixes of each backbone stage, input side first. */
export function backboneStages(model: Module): string[][] {
  const head = headPath(model);
  if (hasTransferLayout(model)) return model.backboneStages();
  // Without a declared layout, every top-level child other than the head's is a stage.
  const headTop = head.split('.')[0]!;
  return [...model.namedChildren()].map(([n]) => n).filter((n) => n !== headTop).map((n) => [n]);
}

export interface ParamGroup {
  /** 'head', or the stage's prefixes joined by '+'. */
  name: string;
  params: Tensor[];
  lr: number;
}

export interface UnfreezeOptions {
  /** Learning rate of the head. */
  lr: number;
  /** Each stage further from the head gets the previous stage's rate times this factor. Default 0.1. */
  decay?: number;
}

/**
 * Stage 0 trains only the head; stage k also trains the last k backbone stages, each
 * with a learning rate `decay` times smaller than the stage after it. Everything else
 * is frozen. Returns optimizer parameter groups, head first. Stages past the number of
 * backbone stages unfreeze the whole model.
 */
export function unfreezeProgressively(model: Module, stage: number, opts: UnfreezeOptions): ParamGroup[] {
  if (!Number.isInteger(stage) || stage < 0) throw new RangeError(`unfreezeProgressively: stage must be a non-negative integer, got ${stage}`);
  if (!(typeof opts?.lr === 'number' && opts.lr > 0)) throw new RangeError(`unfreezeProgressively: lr must be positive, got ${String(opts?.lr)}`);
  const decay = opts.decay ?? 0.1;
  if (!(decay > 0)) throw new RangeError(`unfreezeProgressively: decay must be positive, got ${decay}`);
  const head = headPath(model);
  const names = [...model.namedParameters()].map(([n]) => n);
  const ownsParams = (prefix: string) => names.some((n) => matchesPrefix(n, prefix));
  // Prefixes without parameters (activations, pools) would only clutter the group names.
  const stages = backboneStages(model).map((prefixes) => prefixes.filter(ownsParams)).filter((prefixes) => prefixes.length > 0);
  const released = stages.slice(Math.max(0, stages.length - stage)).reverse();

  model.freeze();
  const params = [...model.namedParameters()];
  const pick = (prefixes: string[]) => params.filter(([n]) => prefixes.some((p) => matchesPrefix(n, p))).map(([, t]) => t);
  const groups: ParamGroup[] = [{ name: 'head', params: pick([head]), lr: opts.lr }];
  released.forEach((prefixes, i) => {
    groups.push({ name: prefixes.join('+'), params: pick(prefixes), lr: opts.lr * decay ** (i + 1) });
  });
  // Parameters outside every declared stage (rare) join the earliest released group.
  if (stage >= stages.length) {
    const covered = new Set(groups.flatMap((g) => g.params));
    const rest = params.map(([, t]) => t).filter((t) => !covered.has(t));
    if (rest.length) groups[groups.length - 1]!.params.push(...rest);
  }
  for (const g of groups) for (const p of g.params) p.requiresGrad = true;
  return groups;
}
