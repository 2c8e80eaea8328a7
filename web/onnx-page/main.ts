// The page `visionlab export RUN --format web` writes: runs the exported ONNX model in the
// browser with onnxruntime-web (WebAssembly, files served from the page's own folder) on
// a dropped, chosen or drawn image and shows the top-5 classes with probabilities, or for
// a segmentation model the predicted mask blended over the image, with the classes in it.
// Bundled by scripts/build-web-page.ts; type-checked with `tsc -p web/onnx-page`.
import * as ort from 'onnxruntime-web/wasm';

/** model.json, written beside model.onnx by the exporter. */
interface PageModel {
  title: string;
  /** 'segmentation': the output is per-pixel logits [1, C, H, W]. */
  kind?: 'classifier' | 'segmentation';
  classNames: string[];
  /** [channels, height, width] the model takes, values in [0, 1]. */
  inputShape: [number, number, number];
  inputName: string;
  outputName: string;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function setStatus(state: string, text: string): void {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

/** Float32 [1, C, H, W] in [0, 1] from an image drawn at the model's size. */
function toInput(source: CanvasImageSource, [c, h, w]: [number, number, number]): Float32Array {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(source, 0, 0, w, h);
  const rgba = g.getImageData(0, 0, w, h).data;
  const out = new Float32Array(c * h * w);
  for (let i = 0; i < h * w; i++) {
    const r = rgba[4 * i]!, gr = rgba[4 * i + 1]!, b = rgba[4 * i + 2]!;
    if (c === 1) out[i] = (0.2126 * r + 0.7152 * gr + 0.0722 * b) / 255;
    else {
      out[i] = r / 255;
      out[h * w + i] = gr / 255;
      out[2 * h * w + i] = b / 255;
    }
  }
  return out;
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function showTop5(probs: number[], names: string[]): void {
  const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5);
  const list = $('top5');
  list.replaceChildren(...order.map(([p, i]) => {
    const li = document.createElement('li');
    li.dataset.class = names[i] ?? String(i);
    li.dataset.prob = String(p);
    const name = document.createElement('span');
    name.textContent = names[i] ?? String(i);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    const pct = document.createElement('span');
    pct.textContent = `${(100 * p).toFixed(1)}%`;
    li.append(name, bar, pct);
    return li;
  }));
}

/** Colour of class k: VOC's palette (bits of k spread over the high bits of R, G and B). */
function paletteColour(k: number): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let bit = 0, v = k; v > 0; bit++, v >>= 3) {
    for (let ch = 0; ch < 3; ch++) c[ch]! |= ((v >> ch) & 1) << (7 - bit);
  }
  return c;
}

/**
 * The per-pixel argmax of logits [1, C, H, W], drawn over the image at half opacity
 * (class 0, the background, left clear), and the classes in the mask with their pixel
 * shares, largest first.
 */
function showMask(logits: Float32Array, source: CanvasImageSource, [, h, w]: [number, number, number], names: string[]): void {
  const classes = logits.length / (h * w);
  const canvas = $<HTMLCanvasElement>('overlay');
  canvas.width = w;
  canvas.height = h;
  canvas.hidden = false;
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(source, 0, 0, w, h);
  const image = g.getImageData(0, 0, w, h);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < h * w; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[k * h * w + i]! > logits[best * h * w + i]!) best = k;
    counts[best]!++;
    if (best === 0) continue;
    const colour = paletteColour(best);
    for (let ch = 0; ch < 3; ch++) image.data[4 * i + ch] = Math.round(0.5 * image.data[4 * i + ch]! + 0.5 * colour[ch]!);
  }
  g.putImageData(image, 0, 0);
  const legend = $('legend');
  legend.replaceChildren(...counts.map((n, k) => [n, k] as const).filter(([n]) => n > 0).sort((a, b) => b[0] - a[0]).map(([n, k]) => {
    const li = document.createElement('li');
    li.dataset.class = names[k] ?? String(k);
    li.dataset.pixels = String(n);
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = `rgb(${paletteColour(k).join(',')})`;
    const label = document.createElement('span');
    label.textContent = `${names[k] ?? k}: ${(100 * n / (h * w)).toFixed(1)}% of the pixels`;
    li.append(swatch, label);
    return li;
  }));
}

async function main(): Promise<void> {
  const model = await (await fetch('model.json')).json() as PageModel;
  document.title = model.title;
  $('title').textContent = model.title;
  const [c, h, w] = model.inputShape;
  $('info').textContent = `${model.classNames.length} classes · input ${c}×${h}×${w}`;
  // The WebAssembly files sit beside this page; one thread, because several need a
  // cross-origin-isolated page, which a plain static server does not give.
  ort.env.wasm.wasmPaths = new URL('./', location.href).href;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create('model.onnx', { executionProviders: ['wasm'] });

  const segmentation = model.kind === 'segmentation';
  $('results-title').textContent = segmentation ? 'Predicted mask' : 'Top 5';
  async function classify(source: CanvasImageSource): Promise<void> {
    setStatus('running', segmentation ? 'segmenting…' : 'classifying…');
    const input = new ort.Tensor('float32', toInput(source, model.inputShape), [1, c, h, w]);
    const result = await session.run({ [model.inputName]: input });
    const output = result[model.outputName]!.data as Float32Array;
    if (segmentation) showMask(output, source, model.inputShape, model.classNames);
    else showTop5(softmax(output), model.classNames);
    setStatus('done', 'done');
  }

  async function classifyFile(file: File): Promise<void> {
    const bitmap = await createImageBitmap(file);
    const preview = $<HTMLImageElement>('preview');
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    await classify(bitmap);
  }

  const fail = (e: unknown) => setStatus('error', `error: ${(e as Error).message ?? String(e)}`);
  $<HTMLInputElement>('file').addEventListener('change', (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) classifyFile(file).catch(fail);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    const file = ev.dataTransfer?.files[0];
    if (file) classifyFile(file).catch(fail);
  });

  // Drawing: white strokes on black, like the light-on-dark images of MNIST-style data.
  const pad = $<HTMLCanvasElement>('pad');
  const pen = pad.getContext('2d')!;
  const clear = () => { pen.fillStyle = '#000'; pen.fillRect(0, 0, pad.width, pad.height); };
  clear();
  let drawing = false;
  const at = (ev: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return [(ev.clientX - r.left) * (pad.width / r.width), (ev.clientY - r.top) * (pad.height / r.height)] as const;
  };
  pad.addEventListener('pointerdown', (ev) => {
    drawing = true;
    pad.setPointerCapture(ev.pointerId);
    pen.beginPath();
    pen.moveTo(...at(ev));
  });
  pad.addEventListener('pointermove', (ev) => {
    if (!drawing) return;
    pen.strokeStyle = '#fff';
    pen.lineWidth = pad.width / 12;
    pen.lineCap = 'round';
    pen.lineJoin = 'round';
    pen.lineTo(...at(ev));
    pen.stroke();
  });
  pad.addEventListener('pointerup', () => {
    drawing = false;
    classify(pad).catch(fail);
  });
  $('classify-drawing').addEventListener('click', () => { classify(pad).catch(fail); });
  $('clear').addEventListener('click', clear);
  setStatus('ready', 'ready: drop, choose or draw an image');
}

main().catch((e: unknown) => setStatus('error', `error: ${(e as Error).message ?? String(e)}`));
