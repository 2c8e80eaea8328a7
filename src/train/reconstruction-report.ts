// The end-of-run report of a reconstruction (denoising) run: the test metrics of the
// outputs and of the noisy inputs, the learning curves, and a grid of noisy / denoised /
// clean triples from the test data, written into the run directory next to report.html.
import { type Tensor, tidy, keep, noGrad } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { DataLoader, Dataset, Transform } from '../data/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { denoisingGridPng, learningCurvesPng, psnrByNoiseLevelPng, writeReport, type ReportFigure } from './report/index.js';
import type { RunDir } from './run-dir.js';
import { History, historyForCharts } from './history.js';
import { evaluate, inEvalMode } from './evaluate.js';
import type { Task } from './task.js';
import { noiseSweep } from './noise-sweep.js';

export interface ReconstructionReportOptions {
  model: Module;
  /** Yields (noisy, clean) pairs, e.g. a loader with a noise model. */
  testData: DataLoader;
  task: Task;
  history?: History;
  config?: unknown;
  device?: string;
  title?: string;
  /** Triples in the grid (default 16). */
  gridImages?: number;
  /**
   * For a model trained blind: PSNR against Gaussian noise levels on these clean images
   * (after `transform`), written as psnr_by_noise_level.png and .csv.
   */
  noiseSweep?: { data: Dataset; levels: readonly number[]; transform?: Transform };
}

export interface ReconstructionReportResult {
  /** test_loss and test_<metric> for every metric of the task. */
  metrics: Record<string, number>;
  files: string[];
}

/** The first n inputs and targets of a loader's evaluation pass, and the model's predictions for them. */
export async function firstTriples(model: Module, data: DataLoader, task: Task, n: number): Promise<{ noisy: Tensor; denoised: Tensor; clean: Tensor }> {
  return inEvalMode(model, async () => {
    for await (const batch of data.iterate(0)) {
      try {
        return noGrad(() => tidy(() => {
          const m = Math.min(n, batch.inputs.shape[0]!);
          const inputs = batch.inputs.narrow(0, 0, m);
          const targets = batch.targets.narrow(0, 0, m);
          const denoised = task.predict(task.forward(model, { inputs, targets, indices: batch.indices.subarray(0, m) }));
          return { noisy: keep(inputs.clone()), denoised: keep(denoised.to('cpu')), clean: keep(targets.clone()) };
        }));
      } finally {
        batch.inputs.dispose();
        batch.targets.dispose();
      }
    }
    throw new Error('writeReconstructionReport: the test data yielded no batches');
  });
}

export async function writeReconstructionReport(run: RunDir, opts: ReconstructionReportOptions): Promise<ReconstructionReportResult> {
  const { model, testData, task } = opts;
  const files: string[] = [];
  const figures: ReportFigure[] = [];
  const ev = await evaluate(model, testData, { task, ...(opts.device ? { device: opts.device } : {}) });
  const metrics: Record<string, number> = { test_loss: ev.loss };
  for (const [k, v] of Object.entries(ev.metrics)) metrics[`test_${k}`] = v;
  await writeFileAtomic(run.metricsJson, `${JSON.stringify(metrics, null, 2)}\n`, { createParentDir: true });
  files.push('metrics.json');

  const history = opts.history ?? run.readHistory();
  if (history.length > 0) {
    const png = await learningCurvesPng(historyForCharts(history, task.metricNames));
    await writeFileAtomic(run.file('learning_curves.png'), png, { createParentDir: true });
    files.push('learning_curves.png');
    figures.push({ name: 'Learning curves', file: 'learning_curves.png' });
  }
  const t = await firstTriples(model, testData, task, opts.gridImages ?? 16);
  try {
    await writeFileAtomic(run.file('denoising.png'), await denoisingGridPng(t.noisy.to('cpu'), t.denoised, t.clean.to('cpu')), { createParentDir: true });
  } finally {
    for (const x of [t.noisy, t.denoised, t.clean]) x.dispose();
  }
  files.push('denoising.png');
  figures.push({ name: 'Test images: noisy input, denoised output, clean image (PSNR under each)', file: 'denoising.png' });

  if (opts.noiseSweep) {
    const { data, levels, transform } = opts.noiseSweep;
    const sweep = await noiseSweep(model, data, levels, { ...(transform ? { transform } : {}), ...(opts.device ? { device: opts.device } : {}) });
    const csv = ['std,psnr,ssim,input_psnr,input_ssim', ...sweep.levels.map((l, i) => `${l},${sweep.psnr[i]},${sweep.ssim[i]},${sweep.inputPsnr[i]},${sweep.inputSsim[i]}`)];
    await writeFileAtomic(run.file('psnr_by_noise_level.csv'), `${csv.join('\n')}\n`, { createParentDir: true });
    await writeFileAtomic(run.file('psnr_by_noise_level.png'), await psnrByNoiseLevelPng(sweep.levels, { denoised: sweep.psnr, noisy: sweep.inputPsnr }), { createParentDir: true });
    files.push('psnr_by_noise_level.csv', 'psnr_by_noise_level.png');
    figures.push({ name: `PSNR against the noise level (${data.length} test images)`, file: 'psnr_by_noise_level.png' });
  }

  await writeReport(run.path, {
    title: opts.title ?? `Run ${run.name}`,
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(history.length > 0 ? { history: historyForCharts(history, task.metricNames) } : {}),
    metrics,
    figures,
  });
  files.push('report.html');
  return { metrics, files };
}
