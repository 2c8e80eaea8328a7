// The static web page of an exported model: the page bundle built with visionlab
// (dist/web/onnx-page: page, script, onnxruntime-web's WebAssembly files) plus the
// model's model.onnx and model.json. Any static file server can serve the folder.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../io/atomic-write.js';

// dist/src/export/ -> dist/web/onnx-page/, where scripts/build-web-page.ts puts the bundle.
export const WEB_PAGE_BUNDLE = fileURLToPath(new URL('../../web/onnx-page/', import.meta.url));

export interface WebPageModel {
  title: string;
  /** 'classifier' (default): the top-5 classes; 'segmentation': the predicted mask over the image. */
  kind?: 'classifier' | 'segmentation';
  classNames: readonly string[];
  /** [channels, height, width] of the model's input. */
  inputShape: readonly [number, number, number];
  inputName?: string;
  outputName?: string;
}

/** Writes the page with `onnx` (a file from exportOnnx) into dir; returns the files written. */
export async function writeWebPage(dir: string, onnx: Uint8Array, model: WebPageModel, bundleDir = WEB_PAGE_BUNDLE): Promise<string[]> {
  if (!existsSync(path.join(bundleDir, 'page.js'))) {
    throw new Error(`the web page bundle is missing from ${bundleDir}; build it with 'npm run build:web'`);
  }
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(bundleDir);
  for (const f of files) copyFileSync(path.join(bundleDir, f), path.join(dir, f));
  await writeFileAtomic(path.join(dir, 'model.onnx'), onnx);
  const info = {
    title: model.title, kind: model.kind ?? 'classifier', classNames: model.classNames, inputShape: model.inputShape,
    inputName: model.inputName ?? 'input', outputName: model.outputName ?? 'logits',
  };
  await writeFileAtomic(path.join(dir, 'model.json'), `${JSON.stringify(info, null, 2)}\n`);
  return [...files, 'model.onnx', 'model.json'];
}
