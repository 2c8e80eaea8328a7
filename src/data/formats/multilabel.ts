// Multi-label classification from a CSV: a header `filename,<class 1>,<class 2>,...` and one
// row per image with a 0/1 per class. Targets are float32 [N, K], ready for BCE losses.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tensor, tidy } from '../../torch/index.js';
import { TensorDataset } from '../dataset.js';
import { type ImageSize } from '../image-io.js';
import { readCsv } from './csv.js';
import { decodeImageList } from './image-list.js';

export interface MultilabelOptions {
  /** Folder the file names are relative to; default the CSV's folder. */
  imagesDir?: string;
  size?: ImageSize;
  channels?: 1 | 3;
}

export class MultilabelDataset extends TensorDataset {
  constructor(images: ConstructorParameters<typeof TensorDataset>[0], targets: ConstructorParameters<typeof TensorDataset>[1],
    classNames: string[], readonly files: string[]) {
    super(images, targets, classNames);
  }
}

export async function multilabelDataset(csvFile: string, opts: MultilabelOptions = {}): Promise<MultilabelDataset> {
  if (!existsSync(csvFile)) throw new Error(`multilabelDataset: ${csvFile} does not exist`);
  const { header, rows } = readCsv(csvFile, { hasHeader: true });
  if (!header || header.length < 2) throw new Error(`${csvFile}: expected a header 'filename,<class>,<class>,...'`);
  const classNames = header.slice(1);
  const k = classNames.length;
  const dir = opts.imagesDir ?? path.dirname(csvFile);
  const targets = new Float32Array(rows.length * k);
  const files = rows.map((r, i) => {
    if (r.length !== k + 1) throw new Error(`${csvFile}: row ${i + 2} has ${r.length} columns, the header has ${k + 1}`);
    for (let j = 0; j < k; j++) {
      const v = r[j + 1];
      if (v !== '0' && v !== '1') throw new Error(`${csvFile}: row ${i + 2}, column '${classNames[j]}': expected 0 or 1, got '${v}'`);
      targets[i * k + j] = v === '1' ? 1 : 0;
    }
    return path.resolve(dir, r[0]!);
  });
  if (files.length === 0) throw new Error(`${csvFile}: no rows`);
  const decoded = await decodeImageList(files, { size: opts.size, channels: opts.channels });
  return tidy(() => new MultilabelDataset(tensor(decoded.pixels, { shape: decoded.shape }), tensor(targets, { shape: [files.length, k] }), classNames, files));
}
