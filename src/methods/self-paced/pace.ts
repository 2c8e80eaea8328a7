// How fast self-paced learning admits harder samples. Either lambda grows by a factor
// each epoch (the "mu" of Kumar et al., e.g. 1.3), or a target fraction of the training
// samples is admitted, growing linearly from a start fraction to an end fraction; lambda
// is then the loss quantile at that fraction over the losses of the previous epoch.

export type SelfPacedPace =
  | {
    kind: 'growth';
    /** lambda is multiplied by this after every weighted epoch (> 1). */
    factor: number;
    /** Starting lambda; default: the loss quantile at startFraction after the first (plain) epoch. */
    lambda?: number;
    /** Default 0.5. */
    startFraction?: number;
  }
  | {
    kind: 'fraction';
    /** Fraction admitted in the first weighted epoch, in (0, 1]. */
    start: number;
    /** Fraction reached at the last growth epoch (default 1). */
    end?: number;
    /** Weighted epochs over which the fraction grows (default: all remaining epochs). */
    epochs?: number;
  };

export function checkPace(p: SelfPacedPace, who: string): void {
  if (p.kind === 'growth') {
    if (!(p.factor >= 1) || !Number.isFinite(p.factor)) throw new RangeError(`${who}: pace.factor must be a number >= 1, got ${p.factor}`);
    if (p.lambda !== undefined && !(p.lambda > 0)) throw new RangeError(`${who}: pace.lambda must be positive, got ${p.lambda}`);
    if (p.startFraction !== undefined && !(p.startFraction > 0 && p.startFraction <= 1)) throw new RangeError(`${who}: pace.startFraction must be in (0, 1], got ${p.startFraction}`);
  } else if (p.kind === 'fraction') {
    if (!(p.start > 0 && p.start <= 1)) throw new RangeError(`${who}: pace.start must be in (0, 1], got ${p.start}`);
    const end = p.end ?? 1;
    if (!(end >= p.start && end <= 1)) throw new RangeError(`${who}: pace.end must be in [start, 1], got ${end}`);
    if (p.epochs !== undefined && !(Number.isInteger(p.epochs) && p.epochs >= 1)) throw new RangeError(`${who}: pace.epochs must be an integer >= 1, got ${p.epochs}`);
  } else {
    throw new RangeError(`${who}: pace.kind must be 'growth' or 'fraction', got '${String((p as { kind?: unknown }).kind)}'`);
  }
}

/** The fraction the 'fraction' pace admits in weighted epoch k (0-based) of `weightedEpochs`. */
export function admittedFraction(p: Extract<SelfPacedPace, { kind: 'fraction' }>, k: number, weightedEpochs: number): number {
  const end = p.end ?? 1;
  const span = Math.max(1, (p.epochs ?? weightedEpochs) - 1);
  return Math.min(end, p.start + ((end - p.start) * k) / span);
}

/** The value below which a fraction q of the (finite) losses lie: lambda for a target fraction. */
export function lossQuantile(losses: Float32Array | Float64Array, q: number): number {
  const sorted = Float64Array.from(losses).filter(Number.isFinite).sort();
  if (sorted.length === 0) throw new Error('lossQuantile: no finite losses recorded');
  if (q >= 1) return sorted[sorted.length - 1]! * (1 + 1e-6) + 1e-12;
  const k = Math.max(0, Math.ceil(q * sorted.length) - 1);
  // Just above the k-th smallest, so that "l < lambda" admits it.
  const next = sorted[k + 1];
  return next !== undefined && next > sorted[k]! ? (sorted[k]! + next) / 2 : sorted[k]! * (1 + 1e-6) + 1e-12;
}
