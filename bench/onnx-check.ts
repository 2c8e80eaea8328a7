// Runs an exported model in onnxruntime-node (the real ONNX runtime, a development
// dependency) and compares its outputs with visionlab's on the same input. Shared by the
// ONNX benchmark and the export tests.
import * as ort from 'onnxruntime-node';
import { type Tensor, tensor, tidy, noGrad } from '../src/torch/index.js';
import { BatchNorm1d, BatchNorm2d, normal_, uniform_, type AnyModule, type Module } from '../src/nn/index.js';
import { exportOnnx, type OnnxExportOptions } from '../src/export/index.js';

export const ONNX_TOLERANCE = 1e-4;

/** One thread, like a browser tab without cross-origin isolation and like the tests' shared cores. */
export async function onnxSession(bytes: Uint8Array, threads = 1): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

/** The session's first output for a float32 [N, C, H, W] input. */
export async function runOnnx(session: ort.InferenceSession, input: Tensor): Promise<{ data: Float32Array; dims: number[] }> {
  const x = new ort.Tensor('float32', input.contiguous().toTypedArray() as Float32Array, input.shape);
  const out = (await session.run({ [session.inputNames[0]!]: x }))[session.outputNames[0]!]!;
  return { data: out.data as Float32Array, dims: [...out.dims] };
}

/**
 * Batch-norm statistics and affine parameters away from their defaults (mean 0, var 1,
 * weight 1, bias 0), which would hide a mix-up of the four; as in the torchvision parity check.
 */
export function randomizeBatchNorm(model: AnyModule): void {
  tidy(() => noGrad(() => {
    for (const m of model.modules()) {
      if (!(m instanceof BatchNorm1d || m instanceof BatchNorm2d)) continue;
      if (m.runningMean) normal_(m.runningMean, 0, 0.1);
      if (m.runningVar) uniform_(m.runningVar, 0.5, 2);
      if (m.weight) uniform_(m.weight, 0.5, 1.5);
      if (m.bias) normal_(m.bias, 0, 0.1);
    }
  }));
}

/** visionlab's eval-mode output for [0, 1] images, with the normalisation exportOnnx folds in. */
export function visionlabOutput(model: Module, images: Tensor, options: OnnxExportOptions = {}): Float32Array {
  const training = model.training;
  model.eval();
  try {
    return evalOutput(model, images, options);
  } finally {
    model.train(training);
  }
}

function evalOutput(model: Module, images: Tensor, options: OnnxExportOptions): Float32Array {
  return tidy(() => noGrad(() => {
    let x = images;
    if (options.mean && options.std) {
      const c = options.mean.length;
      x = x.sub(tensor([...options.mean], { shape: [1, c, 1, 1] })).div(tensor([...options.std], { shape: [1, c, 1, 1] }));
    }
    return model.call(x).contiguous().toTypedArray() as Float32Array;
  }));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`outputs differ in size: ${a.length} against ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export interface OnnxComparison {
  maxAbsDiff: number;
  /** Largest |output|: a tolerance only means something against outputs well above it. */
  maxAbsOutput: number;
  dims: number[];
  bytes: Uint8Array;
}

/**
 * Exports `model` with a batch-1 sample, runs the file in onnxruntime on `images` (any
 * batch size: the batch is dynamic) and compares with visionlab's output.
 */
export async function compareWithOnnxRuntime(model: Module, images: Tensor, options: OnnxExportOptions = {}): Promise<OnnxComparison> {
  const bytes = tidy(() => exportOnnx(model, images.index(0).unsqueeze(0), options));
  const session = await onnxSession(bytes);
  try {
    const ours = visionlabOutput(model, images, options);
    const theirs = await runOnnx(session, images);
    return { maxAbsDiff: maxAbsDiff(ours, theirs.data), maxAbsOutput: Math.max(...ours.map(Math.abs)), dims: theirs.dims, bytes };
  } finally {
    await session.release();
  }
}
