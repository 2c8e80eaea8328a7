// `visionlab predict RUN DIR --submission FILE`: the scenes study's submission for a
// folder of test images. RUN is a segmentation run (its masks); the label vectors come
// from a multi-label run (--labels-run, the study's threshold 0.15 with top-1 fallback
// unless --threshold says otherwise) or, without one, from the classes in each mask.
import path from 'node:path';
import { stack, tidy, noGrad, type Tensor } from '../torch/index.js';
import { decodeImage, listImages } from '../data/index.js';
import { encodeSubmission, decideLabels, type SubmissionEntry } from '../metrics/index.js';
import { openRun, type OpenedRun } from '../experiment/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { UsageError } from './args.js';

export interface SubmissionRequest {
  runDir: string;
  imagesDir: string;
  out: string;
  labelsRun?: string;
  threshold?: number;
}

const BATCH = 32;

async function outputsFor(run: OpenedRun, files: string[], fn: (out: Tensor) => Tensor): Promise<Tensor[]> {
  const [c, h, w] = run.info.imageShape;
  const parts: Tensor[] = [];
  for (let i = 0; i < files.length; i += BATCH) {
    const images: Tensor[] = [];
    for (const f of files.slice(i, i + BATCH)) images.push(await decodeImage(f, { channels: c as 1 | 3, size: [h, w] }));
    parts.push(tidy(() => noGrad(() => fn(run.model.call(run.testTransform.apply(stack(images)).to(run.config.device))).cpu())));
    for (const t of images) t.dispose();
  }
  return parts;
}

function taskOf(run: OpenedRun): string {
  return run.info.task?.name ?? 'classification';
}

export async function writeSubmission(req: SubmissionRequest): Promise<number> {
  const seg = await openRun(req.runDir);
  if (taskOf(seg) !== 'segmentation') {
    throw new UsageError(`predict --submission: ${req.runDir} is a ${taskOf(seg)} run; give the segmentation run (its masks) and the multi-label run as --labels-run`);
  }
  const files = listImages(req.imagesDir);
  if (files.length === 0) throw new UsageError(`predict --submission: no images in ${req.imagesDir}`);
  const [, h, w] = seg.info.imageShape;
  const masks = (await outputsFor(seg, files, (o) => o.argmax(1).to('uint8'))).flatMap((t) => {
    const a = t.toTypedArray() as Uint8Array;
    const n = t.shape[0]!;
    t.dispose();
    return Array.from({ length: n }, (_, i) => a.subarray(i * h * w, (i + 1) * h * w));
  });
  let labels: Uint8Array[];
  if (req.labelsRun) {
    const ml = await openRun(req.labelsRun);
    if (taskOf(ml) !== 'multilabel') throw new UsageError(`predict --labels-run: ${req.labelsRun} is a ${taskOf(ml)} run, not a multilabel one`);
    if (ml.info.classNames.join('\n') !== seg.info.classNames.slice(1).join('\n')) {
      throw new UsageError(`predict --labels-run: its labels (${ml.info.classNames.join(', ')}) are not the segmentation run's object classes (${seg.info.classNames.slice(1).join(', ')})`);
    }
    const probs = (await outputsFor(ml, files, (o) => o.sigmoid())).flatMap((t) => {
      const rows = t.toArray() as number[][];
      t.dispose();
      return rows;
    });
    labels = decideLabels(probs, { threshold: req.threshold ?? 0.15, fallbackTop1: true });
  } else {
    // Without a classifier, an image shows the classes its predicted mask contains.
    const k = seg.info.classNames.length - 1;
    labels = masks.map((m) => {
      const v = new Uint8Array(k);
      for (const c of m) if (c > 0 && c <= k) v[c - 1] = 1;
      return v;
    });
  }
  const entries: SubmissionEntry[] = files.map((f, i) => ({ id: path.parse(f).name, labels: labels[i]!, mask: masks[i]!, height: h, width: w }));
  await writeFileAtomic(req.out, encodeSubmission(entries));
  return entries.length;
}
