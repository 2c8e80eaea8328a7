// Module behaviour on a small nested model: PyTorch-style state-dict names, strict
// loading errors, freezing by prefix, train/eval switching, forward hooks and dtype moves.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, randn, zeros, ones, manualSeed, noGrad, setNumThreads } from '../../src/torch/index.js';
import {
  Module, Sequential, ModuleList, Conv2d, BatchNorm2d, ReLU, Dropout, Flatten, Linear, AdaptiveAvgPool2d, MSELoss, type AnyModule,
} from '../../src/nn/index.js';

setNumThreads(1);

class Net extends Module {
  readonly features: Sequential;
  readonly bn: BatchNorm2d;
  readonly head: Sequential;
  constructor(classes = 10) {
    super();
    this.features = this.registerModule('features', new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new ReLU()));
    this.bn = this.registerModule('bn', new BatchNorm2d(4));
    this.head = this.registerModule('head', new Sequential(new AdaptiveAvgPool2d(2), new Flatten(), new Dropout(0.5), new Linear(16, classes)));
  }
  override forward(x: Tensor): Tensor {
    return this.head.call(this.bn.call(this.features.call(x)));
  }
}

const NAMES = [
  'features.0.weight', 'features.0.bias',
  'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
  'head.3.weight', 'head.3.bias',
];

describe('state dict', () => {
  test('names follow PyTorch: dotted paths, parameters then persistent buffers per module', () => {
    const net = new Net();
    assert.deepEqual([...net.stateDict().keys()], NAMES);
    assert.deepEqual([...net.namedParameters()].map(([n]) => n), NAMES.filter((n) => !/running|num_batches/.test(n)));
    assert.deepEqual([...net.namedBuffers()].map(([n]) => n), ['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    assert.deepEqual(net.stateDict().get('features.0.weight')!.shape, [4, 3, 3, 3]);
    assert.equal(net.getSubmodule('head.3'), net.head.at(3));
  });

  test('loadStateDict copies values so that two models compute the same function', () => {
    manualSeed(1);
    const a = new Net().eval();
    manualSeed(2);
    const b = new Net().eval();
    const x = randn([2, 3, 5, 5]);
    assert.notDeepEqual(a.call(x).toFlatArray(), b.call(x).toFlatArray());
    noGrad(() => a.bn.runningMean!.copy_(randn([4])));
    const result = b.loadStateDict(a.stateDict());
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    assert.deepEqual(b.call(x).toFlatArray(), a.call(x).toFlatArray());
    // Values are copied, not shared.
    noGrad(() => a.features.at(0).getParameter('weight')!.zero_());
    assert.notEqual(b.stateDict().get('features.0.weight')!.abs().sum().item(), 0);
  });

  test('strict loading names missing, unexpected and mis-shaped keys', () => {
    const net = new Net();
    const state = new Map(net.stateDict());
    state.delete('head.3.bias');
    state.set('extra.weight', zeros([1]));
    assert.throws(() => net.loadStateDict(state), (e: Error) =>
      /missing keys: head\.3\.bias/.test(e.message) && /unexpected keys: extra\.weight/.test(e.message));
    const loose = net.loadStateDict(state, false);
    assert.deepEqual(loose, { missingKeys: ['head.3.bias'], unexpectedKeys: ['extra.weight'] });
    const other = new Net(5).stateDict();
    assert.throws(() => net.loadStateDict(other), /shape mismatch\n\s+head\.3\.weight: expected \[10,16\] got \[5,16\]\n\s+head\.3\.bias: expected \[10\] got \[5\]/);
  });
});

describe('freezing', () => {
  test('freeze and unfreeze by prefix', () => {
    const net = new Net();
    const total = net.numParameters();
    assert.equal(total, 4 * 27 + 4 + 4 + 4 + 16 * 10 + 10);
    net.freeze('features', 'bn');
    const trainable = [...net.namedParameters()].filter(([, p]) => p.requiresGrad).map(([n]) => n);
    assert.deepEqual(trainable, ['head.3.weight', 'head.3.bias']);
    assert.equal(net.numParameters(true), 170);
    // A prefix matches whole path components only: 'head.3' yes, 'hea' no.
    assert.throws(() => net.freeze('hea'), /freeze: no parameter matches hea/);
    net.unfreeze('bn.weight');
    assert.deepEqual(net.trainableParameters().length, 3);
    net.unfreeze();
    assert.equal(net.numParameters(true), total);
  });

  test('frozen parameters get no gradient', () => {
    const net = new Net().freeze('features');
    net.call(randn([2, 3, 4, 4])).sum().backward();
    assert.equal(net.features.at(0).getParameter('weight')!.grad, undefined);
    assert.ok(net.head.at(3).getParameter('weight')!.grad !== undefined);
  });
});

describe('train and eval', () => {
  test('eval switches every submodule: dropout stops, batch norm uses running statistics', () => {
    manualSeed(3);
    const net = new Net();
    const x = randn([4, 3, 6, 6]);
    assert.ok(net.modules().every((m) => m.training));
    const t1 = net.call(x).toFlatArray();
    const t2 = net.call(x).toFlatArray();
    assert.notDeepEqual(t1, t2, 'dropout differs between training calls');
    assert.equal(net.bn.numBatchesTracked!.item(), 2);

    net.eval();
    assert.ok(net.modules().every((m) => !m.training));
    const e1 = net.call(x).toFlatArray();
    assert.deepEqual(net.call(x).toFlatArray(), e1, 'eval is deterministic');
    assert.equal(net.bn.numBatchesTracked!.item(), 2, 'eval does not update running statistics');

    // In eval, a batch of one is normalised by the running statistics, so it matches its row in the batch.
    const single = net.call(x.narrow(0, 1, 1)).toFlatArray();
    e1.slice(10, 20).forEach((v, i) => assert.ok(Math.abs(v - single[i]!) < 1e-5));
    net.train();
    assert.ok(net.modules().every((m) => m.training));
  });
});

describe('forward hooks', () => {
  test('see every call, may replace the output, and can be removed', () => {
    const lin = new Linear(2, 2);
    const seen: number[][] = [];
    const remove = lin.registerForwardHook((m, inputs, out) => {
      assert.equal(m, lin);
      assert.equal(inputs.length, 1);
      seen.push(out.shape);
    });
    const seq = new Sequential(lin, new ReLU());
    seq.call(ones([3, 2]));
    seq.call(ones([1, 2]));
    assert.deepEqual(seen, [[3, 2], [1, 2]]);
    const replace = lin.registerForwardHook(() => zeros([5]));
    assert.deepEqual(lin.call(ones([1, 2])).shape, [5]);
    replace.remove();
    remove();
    lin.call(ones([1, 2]));
    assert.equal(seen.length, 3, 'the first hook saw the call before it was removed, and nothing after');
    assert.deepEqual(lin.call(ones([1, 2])).shape, [1, 2]);
  });
});

describe('to()', () => {
  test('a dtype converts floating tensors only and keeps parameter identity', () => {
    const net = new Net();
    const w = net.features.at(0).getParameter('weight')!;
    net.to('float64');
    assert.equal(net.features.at(0).getParameter('weight'), w);
    assert.equal(w.dtype, 'float64');
    assert.equal(w.requiresGrad, true);
    assert.equal(net.bn.runningMean!.dtype, 'float64');
    assert.equal(net.bn.numBatchesTracked!.dtype, 'int64');
    assert.equal(net.call(randn([2, 3, 4, 4], { dtype: 'float64' })).dtype, 'float64');
  });
});

describe('types', () => {
  test('children are looked up with their class, and a wrong class is named', () => {
    const net = new Net();
    const head: Linear = net.getSubmodule('head.3', Linear);
    assert.equal(head.outFeatures, 10);
    const bn: BatchNorm2d | undefined = net.getModule('bn', BatchNorm2d);
    assert.equal(bn, net.bn);
    assert.equal(net.getModule('absent', Linear), undefined);
    assert.throws(() => net.getModule('bn', Linear), /Net.getModule\('bn'\): expected Linear, got BatchNorm2d/);
    assert.throws(() => net.getSubmodule('head.0', Linear), /getSubmodule\('head.0'\): expected Linear, got AdaptiveAvgPool2d/);
    // Untyped lookups give a module whose output is unknown, which a caller must check.
    const any: AnyModule = net.getSubmodule('head.3');
    assert.ok(any.call(ones([1, 16])) instanceof Tensor);
  });

  test('call signatures: layers and Sequential map Tensor to Tensor, losses take two, ModuleList has no forward', () => {
    const x = randn([3, 4]);
    const y: Tensor = new Sequential(new Linear(4, 2), new ReLU()).call(x);
    assert.deepEqual(y.shape, [3, 2]);
    const loss = new MSELoss();
    const l: Tensor = loss.call(y, zeros([3, 2]));
    assert.equal(l.ndim, 0);
    // @ts-expect-error a loss needs a target
    assert.throws(() => loss.call(y));
    // @ts-expect-error a loss is not a Tensor-to-Tensor layer, so it cannot join a Sequential
    assert.throws(() => new Sequential(new Linear(4, 2), loss).call(x));

    const list = new ModuleList([new Linear(4, 4), new Linear(4, 2)]);
    const first: Linear = list.at(0);
    assert.deepEqual([...list].map((m) => m.outFeatures), [4, 2]);
    assert.deepEqual(list.at(1).call(first.call(x)).shape, [3, 2]);
    assert.throws(() => (list as AnyModule).call(x), /ModuleList.forward is not implemented/);
  });
});
