// Bundles the ONNX web page (web/onnx-page) with onnxruntime-web into dist/web/onnx-page,
// with onnxruntime-web's WebAssembly files copied beside it, so `visionlab export --format
// web` only copies files and the page loads nothing from elsewhere. Run by `npm run
// build:web` (part of build and prepare); the browser test runs it too, so it never tests
// a stale bundle.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// dist/scripts/ -> repository root.
const root = fileURLToPath(new URL('../../', import.meta.url));
export const PAGE_SOURCE = path.join(root, 'web/onnx-page');
export const PAGE_BUNDLE = path.join(root, 'dist/web/onnx-page');

/** onnxruntime-web's runtime files the wasm build loads at run time. */
const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

export async function buildWebPage(outDir = PAGE_BUNDLE): Promise<string> {
  // Development tools: imported here only, so the library never needs them.
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(PAGE_SOURCE, 'main.ts')],
    outfile: path.join(outDir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
    // The build of onnxruntime-web that fetches its WebAssembly glue from wasmPaths
    // instead of embedding it, so both files are the ones copied below.
    conditions: ['onnxruntime-web-use-extern-wasm'],
  });
  copyFileSync(path.join(PAGE_SOURCE, 'index.html'), path.join(outDir, 'index.html'));
  const ortDist = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  for (const f of ORT_FILES) copyFileSync(path.join(ortDist, f), path.join(outDir, f));
  return outDir;
}

/** Whether e says that a development package (esbuild, onnxruntime-web) is not installed. */
function missingDevPackage(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(`wrote ${await buildWebPage()}`);
  } catch (e) {
    // An install without development packages (npm ci --omit=dev) still succeeds; only
    // `visionlab export --format web` then says that the page bundle is missing.
    if (!missingDevPackage(e)) throw e;
    console.warn(`build-web-page: skipped, a development package is missing (${(e as Error).message.split('\n')[0]})`);
  }
}
