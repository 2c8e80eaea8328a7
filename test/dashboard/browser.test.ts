// The dashboard in a real browser: Debian's Chromium driven by playwright-core, against
// two runs trained here on generated images (so every file the trainer writes is real)
// and run directories this test writes and extends while the pages are open. Run alone
// with `npm run test:browser`; `VISIONLAB_SCREENSHOTS=docs npm run test:browser` also
// refreshes the README's screenshots.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfigFile, runExperiment } from '../../src/experiment/index.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { skipWithout, CHROMIUM } from '../support/require-reference.js';
import { writeSyntheticNpy, CLASS_NAMES } from '../cli/synthetic-data.js';
import { writeFixtureRun, appendEpoch } from './fixture-runs.js';

const skip = skipWithout('chromium');
const SCREENSHOT_WIDTH = 900;

let tmp: string;
let root: string;
let dash: Dashboard;
let browser: Browser;
const trained: { id: string; epochs: number }[] = [];

function config(name: string, model: string, epochs: number, dataDir: string): string {
  return `name: ${name}
seed: 1
dataset: { kind: npy, root: ${dataDir}, classNames: [${CLASS_NAMES.join(', ')}] }
split: { val: 0.2 }
transforms: { normalize: auto }
model: { name: ${model} }
optimizer: { name: adam, lr: 0.003 }
epochs: ${epochs}
batchSize: 32
`;
}

async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.VISIONLAB_SCREENSHOTS ?? path.join(tmp, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const png = await page.screenshot();
  await sharp(png).resize({ width: SCREENSHOT_WIDTH }).png({ palette: true, compressionLevel: 9 }).toFile(path.join(dir, `dashboard-${name}.png`));
}

/** A page at `hash` that records console errors and uncaught exceptions. */
async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${dash.url}${hash}`);
  await page.waitForSelector('body[data-ready]');
  return { page, errors };
}

/** Sets an <input type=range> as a user dragging it would (this file has no DOM types: the code runs in the page). */
function setRange(page: Page, selector: string, value: string): Promise<unknown> {
  return page.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event('input')); })()`);
}

/** Data points drawn in a chart (legend symbols are not role-mark). */
const points = (page: Page, chart: string) => page.locator(`[data-chart=${chart}] g.mark-symbol.role-mark path`).count();

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

describe('the dashboard in Chromium', { skip }, () => {
  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-browser-'));
    root = path.join(tmp, 'runs');
    const dataDir = path.join(tmp, 'data');
    writeSyntheticNpy(dataDir, 60, 60); // few training images: the models still make some mistakes to explore
    for (const [name, model, epochs] of [['stripes-cnn', 'fashion-cnn', 3], ['stripes-mlp', 'mlp', 2]] as const) {
      const file = path.join(tmp, `${name}.yaml`);
      writeFileSync(file, config(name, model, epochs, dataDir));
      const { config: cfg, baseDir } = loadConfigFile(file);
      const result = await runExperiment(cfg, { runsRoot: root, baseDir, quiet: true });
      trained.push({ id: path.basename(result.runDir), epochs });
    }
    writeFixtureRun(path.join(root, 'shapes-live'), { epochs: 3, lr: 0.02 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    dash = await startDashboard({ root, port: 0 });
  });

  after(async () => {
    await browser?.close();
    await dash?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs page: lists, sorts and filters the runs without console errors', async () => {
    const { page, errors } = await open('#/');
    await page.waitForSelector('#runs tbody tr');
    assert.equal(await page.locator('#runs tbody tr').count(), 3);
    const order = () => page.locator('#runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    await page.locator('#runs th[data-key=epochs]').click(); // numbers sort largest first
    assert.equal((await order()).at(-1), trained[1]!.id);
    await page.locator('#runs th[data-key=epochs]').click();
    assert.equal((await order())[0], trained[1]!.id);
    assert.equal(await page.locator('#runs tbody tr[data-run=shapes-live] .status').textContent(), 'running');
    await screenshot(page, 'runs');
    await page.locator('#filter').fill('mlp');
    assert.deepEqual(await page.locator('#runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))), [trained[1]!.id]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('compare page: curves with one point per run epoch, the compare table, parallel coordinates and the config diff', async () => {
    const { page, errors } = await open('#/');
    await page.waitForSelector('#runs tbody tr');
    for (const r of trained) await page.locator(`#runs tr[data-run="${r.id}"] input[type=checkbox]`).check();
    await page.locator('#compare').click();
    await page.waitForSelector('body[data-ready="/compare"] [data-chart=parallel] svg');
    const expected = trained.reduce((n, r) => n + r.epochs, 0);
    assert.equal(await points(page, 'compare-curves'), expected);
    assert.equal(await page.locator('#compare-table tbody tr').count(), 2);
    assert.equal(await page.locator('[data-chart=parallel] g.mark-line path').count(), 2);
    const diffKeys = await page.locator('#config-diff tbody td:first-child').allTextContents();
    assert.ok(diffKeys.includes('model.name') && diffKeys.includes('epochs'), diffKeys.join(', '));
    await screenshot(page, 'compare');
    await setRange(page, '#smoothing', '0.6');
    await page.locator('#logy').check();
    await page.locator('#xaxis').selectOption('time');
    await page.waitForTimeout(300);
    assert.equal(await points(page, 'compare-curves'), expected);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('run page: curves, confusion matrix, prediction explorer and a projector thumbnail on hover', async () => {
    const run = trained[0]!;
    // A method's figure lands in its task panel, not among the other figures.
    copyFileSync(path.join(root, run.id, 'learning_curves.png'), path.join(root, run.id, 'self_paced_lambda.png'));
    const { page, errors } = await open(`#/run/${run.id}`);
    await page.waitForSelector('[data-chart=curves] svg');
    await page.waitForSelector('[data-chart=projector] svg');
    // loss, accuracy, val_loss and val_accuracy for every epoch
    assert.equal(await points(page, 'curves'), 4 * run.epochs);
    assert.equal(await page.locator('[data-chart=confusion] g.mark-text.role-mark text').count(), CLASS_NAMES.length ** 2);
    assert.equal(await page.locator('#epoch-slider').getAttribute('max'), String(run.epochs - 1));
    assert.equal(await points(page, 'projector'), 60);
    await page.locator('[data-chart=projector] g.mark-symbol.role-mark path').nth(7).hover({ force: true });
    const thumb = page.locator('#projector-hover .thumb');
    await thumb.waitFor({ timeout: 2000 });
    assert.match(String(await page.evaluate('getComputedStyle(document.querySelector("#projector-hover .thumb")).backgroundImage')), /thumbnails\.png/);
    assert.match(await page.locator('#projector-hover').textContent() ?? '', /true (horizontal|vertical|square), predicted/);
    await page.locator('#filter-true').selectOption({ label: 'vertical' });
    const titles = await page.locator('#explorer-grid .cell').evaluateAll((cells) => cells.map((c) => c.getAttribute('title')));
    assert.equal(titles.length, 20);
    assert.ok(titles.every((t) => t!.startsWith('vertical →')), titles.join(', '));
    await page.locator('#explorer-grid .cell').first().click();
    assert.equal(await page.locator('#sample-dialog[open] ol.top5 li').count(), CLASS_NAMES.length);
    await page.locator('#sample-dialog button').click();
    assert.ok(await page.locator('.figures[data-panel="Figures"] img[alt="learning_curves.png"]').count() === 1);
    assert.ok(await page.locator('.figures[data-panel="Self-paced learning"] img[alt="self_paced_lambda.png"]').count() === 1);
    assert.ok(await page.locator('.figures[data-panel="Figures"] img[alt="self_paced_lambda.png"]').count() === 0);
    await page.locator('[data-chart=projector]').scrollIntoViewIfNeeded();
    await screenshot(page, 'run');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('live run: a new epoch shows within 2 s, the slider changes the confusion matrix, a torn line is survived', async () => {
    const dir = path.join(root, 'shapes-live');
    const { page, errors } = await open('#/run/shapes-live');
    await page.waitForSelector('[data-chart=confusion] svg');
    assert.equal(await points(page, 'curves'), 4 * 3);
    appendEpoch(dir, 3);
    const took = await until('epoch 3 on the page', 2000, async () => (await points(page, 'curves')) === 4 * 4);
    assert.ok(took < 2000);
    await until('slider extended', 2000, async () => (await page.locator('#epoch-slider').getAttribute('max')) === '3');
    const cells = () => page.locator('[data-chart=confusion] g.mark-text.role-mark text').allTextContents();
    const latest = await cells();
    assert.deepEqual(latest.map(Number).sort((a, b) => a - b), [0, 0, 0, 1, 1, 1, 9, 9, 9]);
    await setRange(page, '#epoch-slider', '0');
    await until('epoch 0 matrix', 2000, async () => (await cells()).map(Number).sort((a, b) => a - b).join() === '0,0,0,3,3,3,7,7,7');
    assert.equal(await page.locator('#epoch-label').textContent(), 'epoch 0 of 3');
    await screenshot(page, 'live');
    // Half a line, as a trainer killed mid-write leaves it: nothing changes, nothing breaks.
    appendFileSync(path.join(dir, 'metrics.jsonl'), '{"epoch":4,"loss":0.2,"accur');
    await page.waitForTimeout(400);
    assert.equal(await points(page, 'curves'), 4 * 4);
    assert.equal((await page.request.get(`${dash.url}api/runs`)).status(), 200);
    appendFileSync(path.join(dir, 'metrics.jsonl'), 'acy":0.9,"val_loss":0.3,"val_accuracy":0.88}\n');
    await until('the completed line', 2000, async () => (await points(page, 'curves')) === 4 * 5);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a run deleted while open shows as gone; paths out of the runs folder get 404', async () => {
    writeFixtureRun(path.join(root, 'doomed'), { epochs: 2 });
    const { page, errors } = await open('#/run/doomed');
    await page.waitForSelector('[data-chart=curves] svg');
    rmSync(path.join(root, 'doomed'), { recursive: true });
    await page.locator('#gone').waitFor({ timeout: 2000 });
    assert.equal(await page.locator('#status').textContent(), 'gone');
    for (const attempt of ['files/%2e%2e/%2e%2e/etc/passwd', 'files/..%2f..%2fetc%2fpasswd', 'files/%252e%252e/data/train_images.npy', `files/${trained[0]!.id}/..%5c..%5cdata`]) {
      assert.equal((await page.request.get(`${dash.url}${attempt}`)).status(), 404, attempt);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
