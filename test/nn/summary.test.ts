// The Keras-like summary of a known model: rows, output shapes, parameter counts
// (counted by hand in the comments) and the formatted table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, zeros, setNumThreads } from '../../src/torch/index.js';
import {
  Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear, Dropout, summary, summarize,
} from '../../src/nn/index.js';

setNumThreads(1);

class SmallCnn extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor() {
    super();
    this.features = this.registerModule('features', new Sequential(
      new Conv2d(3, 16, 3, { padding: 1 }), // 16·3·3·3 + 16 = 448
      new BatchNorm2d(16), //                 16 + 16 = 32 (running stats are buffers)
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(16, 32, 3, { stride: 2 }), // 32·16·3·3 + 32 = 4,640
    ));
    this.classifier = this.registerModule('classifier', new Sequential(
      new Flatten(),
      new Dropout(0.2),
      new Linear(32 * 3 * 3, 10), //          288·10 + 10 = 2,890
    ));
  }
  override forward(x: Tensor): Tensor { return this.classifier.call(this.features.call(x)); }
}

test('summarize reports each leaf layer with its output shape and parameter count', () => {
  const model = new SmallCnn();
  const s = summarize(model, [3, 16, 16]);
  assert.deepEqual(s.rows.map((r) => [r.name, r.type, r.outputShapes, r.params]), [
    ['features.0', 'Conv2d', [[1, 16, 16, 16]], 448],
    ['features.1', 'BatchNorm2d', [[1, 16, 16, 16]], 32],
    ['features.2', 'ReLU', [[1, 16, 16, 16]], 0],
    ['features.3', 'MaxPool2d', [[1, 16, 8, 8]], 0],
    ['features.4', 'Conv2d', [[1, 32, 3, 3]], 4640],
    ['classifier.0', 'Flatten', [[1, 288]], 0],
    ['classifier.1', 'Dropout', [[1, 288]], 0],
    ['classifier.2', 'Linear', [[1, 10]], 2890],
  ]);
  assert.equal(s.totalParams, 448 + 32 + 4640 + 2890);
  assert.equal(s.trainableParams, 8010);
  assert.equal(s.nonTrainableParams, 0);
  assert.equal(s.paramBytes, 8010 * 4);
  assert.equal(s.bufferBytes, (16 + 16) * 4 + 8);
});

test('the table shows names, types, shapes with -1 for the batch, and grouped totals', () => {
  const model = new SmallCnn().freeze('features.0');
  const text = summary(model, [3, 16, 16]);
  const lines = text.split('\n');
  assert.equal(lines[0], 'Model: "SmallCnn"');
  assert.equal(lines[1], 'Input shape: [-1, 3, 16, 16]');
  assert.match(text, /\n features\.0 \(Conv2d\) +\[-1, 16, 16, 16\] +448\n/);
  assert.match(text, /\n features\.4 \(Conv2d\) +\[-1, 32, 3, 3\] +4,640\n/);
  assert.match(text, /\n classifier\.2 \(Linear\) +\[-1, 10\] +2,890\n/);
  assert.ok(lines.includes('Total params: 8,010'));
  assert.ok(lines.includes('Trainable params: 7,562'));
  assert.ok(lines.includes('Non-trainable params: 448'));
  // Every row lines up with the header's columns.
  const header = lines.find((l) => l.includes('Output Shape'))!;
  const shapeCol = header.indexOf('Output Shape');
  for (const l of lines.filter((x) => /^ (features|classifier)\./.test(x))) assert.equal(l[shapeCol], '[', l);
});

test('summary runs in eval mode without gradients and restores training flags', () => {
  const model = new SmallCnn();
  model.classifier.eval();
  const bn = model.features.getModule('1', BatchNorm2d)!;
  summary(model, [3, 16, 16]);
  assert.equal(bn.numBatchesTracked!.item(), 0, 'batch norm statistics untouched');
  assert.equal(model.training, true);
  assert.equal(model.features.training, true);
  assert.equal(model.classifier.training, false);
  assert.equal(model.classifier.at(1).training, false);
  // Hooks are removed afterwards: a second summary gives the same rows.
  assert.deepEqual(summarize(model, [3, 16, 16]).rows.map((r) => r.outputShapes), summarize(model, [3, 16, 16]).rows.map((r) => r.outputShapes));
});

test('containers owning parameters get a row; shared parameters count once in the totals', () => {
  class WithToken extends Module {
    readonly body: Linear;
    constructor() {
      super();
      this.registerParameter('token', zeros([1, 4]));
      this.body = this.registerModule('body', new Linear(4, 4));
      this.registerModule('tied', this.body);
    }
    override forward(x: Tensor): Tensor { return this.body.call(x.add(this.getParameter('token')!)); }
  }
  const s = summarize(new WithToken(), [4]);
  assert.deepEqual(s.rows.map((r) => [r.name, r.params, r.calls]), [['', 4, 1], ['body', 20, 1], ['tied', 20, 1]]);
  assert.equal(s.totalParams, 24);
  assert.match(summary(new WithToken(), [4]), /\n \(WithToken\) +\[-1, 4\] +4\n/);
});

test('bad input shapes and failing forwards are reported clearly', () => {
  const model = new SmallCnn();
  assert.throws(() => summary(model, [0, 16]), /inputShape must be positive integers without the batch dimension/);
  assert.throws(() => summary(model, [4, 16, 16]), /summary: the forward pass on an input of shape \[1, 4, 16, 16\] failed: Conv2d\(3, 16\): expected input \[N, 3, H, W\]/);
  assert.equal(model.training, true);
});
