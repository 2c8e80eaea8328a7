// tidyAsync: scopes that live across awaits, interleaved with other scopes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { adopt, untracked } from '../../src/torch/scope.js';

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when `open()` is called; lets two scopes take turns deterministically. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => { open = r; });
  return { wait, open };
}

test('two concurrent tidyAsync scopes interleaving their awaits each free exactly their own tensors', async () => {
  const before = T.liveTensorCount();
  const made = { a: [] as T.Tensor[], b: [] as T.Tensor[] };
  const aTurn = [gate(), gate(), gate()];
  const bTurn = [gate(), gate(), gate()];
  let bClosed = false;
  // a0 b0 a1 b1 a2 b2: every continuation of one scope runs while the other is open.
  const a = T.tidyAsync(async () => {
    for (let i = 0; i < 3; i++) {
      await aTurn[i]!.wait;
      made.a.push(T.ones([2]).mul(i + 1));
      bTurn[i]!.open();
    }
    await tick();
    return 'a';
  });
  const b = T.tidyAsync(async () => {
    for (let i = 0; i < 3; i++) {
      await bTurn[i]!.wait;
      made.b.push(T.zeros([3]).add(i));
      if (i < 2) aTurn[i + 1]!.open();
    }
    return 'b';
  }).then((r) => { bClosed = true; return r; });
  aTurn[0]!.open();
  // b finishes first: it must free its 6 tensors and none of a's, though a's were made between its awaits.
  assert.equal(await b, 'b');
  assert.ok(bClosed);
  assert.ok(made.b.length === 3 && made.b.every((t) => t.isDisposed), 'b did not free its own tensors');
  assert.ok(made.a.length === 3 && made.a.every((t) => !t.isDisposed), "b freed a's tensors");
  assert.deepEqual(made.a.map((t) => t.toFlatArray()), [[1, 1], [2, 2], [3, 3]]);
  assert.equal(await a, 'a');
  assert.ok(made.a.every((t) => t.isDisposed), 'a did not free its own tensors');
  assert.equal(T.liveTensorCount(), before, 'a handle outlived both scopes');
});

test('many concurrent scopes with random awaits: each result survives, nothing else does', async () => {
  const before = T.liveTensorCount();
  const results = await Promise.all(Array.from({ length: 8 }, (_, k) => T.tidyAsync(async () => {
    let acc = T.scalarTensor(k);
    for (let i = 0; i < 5; i++) {
      await sleep((k * 7 + i * 3) % 5);
      acc = acc.add(1).mul(1); // two temporaries per step, dropped except the last
    }
    return acc;
  })));
  assert.deepEqual(results.map((t) => t.item()), [5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(T.liveTensorCount(), before + 8, 'only the 8 returned tensors should be alive');
  for (const t of results) t.dispose();
  assert.equal(T.liveTensorCount(), before);
});

test('a tidy inside tidyAsync nests in its scope: its result lives until the async scope ends', async () => {
  const before = T.liveTensorCount();
  let fromTidy: T.Tensor | undefined;
  let tidyTemp: T.Tensor | undefined;
  const out = await T.tidyAsync(async () => {
    await tick();
    fromTidy = T.tidy(() => {
      tidyTemp = T.ones([2]).add(1);
      return tidyTemp.mul(3);
    });
    assert.equal(tidyTemp!.isDisposed, true, 'the inner tidy did not free its temporary');
    assert.equal(T.scopeSize() >= 1, true, 'the tidy result was not handed to the async scope');
    await tick();
    assert.equal(fromTidy.isDisposed, false, 'the tidy result died before the async scope ended');
    return fromTidy.sum();
  });
  assert.equal(out.item(), 12);
  assert.equal(fromTidy!.isDisposed, true, 'the tidy result outlived the async scope');
  out.dispose();
  assert.equal(T.liveTensorCount(), before);
});

test('tidyAsync inside tidyAsync hands its result to the outer scope', async () => {
  const before = T.liveTensorCount();
  let innerResult: T.Tensor | undefined;
  let innerTemp: T.Tensor | undefined;
  await T.tidyAsync(async () => {
    innerResult = await T.tidyAsync(async () => {
      innerTemp = T.ones([1]);
      await tick();
      return innerTemp.add(1);
    });
    assert.equal(innerTemp!.isDisposed, true);
    await tick();
    assert.equal(innerResult.isDisposed, false);
  });
  assert.equal(innerResult!.isDisposed, true);
  assert.equal(T.liveTensorCount(), before);
});

test('returned tensors survive tidyAsync, in arrays and objects; kept ones too', async () => {
  const before = T.liveTensorCount();
  let temp: T.Tensor | undefined;
  let kept: T.Tensor | undefined;
  const r = await T.tidyAsync(async () => {
    temp = T.ones([3]);
    await tick();
    kept = T.keep(temp.mul(5));
    return { sum: temp.sum(), parts: [temp.add(1), temp.add(2)] };
  });
  assert.equal(temp!.isDisposed, true);
  assert.equal(r.sum.item(), 3);
  assert.deepEqual(r.parts.map((t) => t.toFlatArray()), [[2, 2, 2], [3, 3, 3]]);
  assert.equal(kept!.isDisposed, false);
  assert.equal(T.liveTensorCount(), before + 4);
  for (const t of [r.sum, ...r.parts, kept!]) t.dispose();
  assert.equal(T.liveTensorCount(), before);
});

test('an error inside tidyAsync frees everything it created, before and after its awaits', async () => {
  const before = T.liveTensorCount();
  const made: T.Tensor[] = [];
  await assert.rejects(T.tidyAsync(async () => {
    made.push(T.ones([2]));
    await tick();
    made.push(T.tidy(() => T.ones([2]).add(1)));
    await sleep(1);
    made.push(T.zeros([4]));
    throw new Error('step failed');
  }), /step failed/);
  assert.equal(made.length, 3);
  assert.ok(made.every((t) => t.isDisposed));
  assert.equal(T.liveTensorCount(), before);
  // A throw before the first await too.
  let early: T.Tensor | undefined;
  await assert.rejects(T.tidyAsync(async () => { early = T.ones([1]); throw new Error('early'); }), /early/);
  assert.equal(early!.isDisposed, true);
  assert.equal(T.liveTensorCount(), before);
});

test('tensors made outside any scope while an async scope awaits belong to no scope', async () => {
  const before = T.liveTensorCount();
  const g = gate();
  const scoped = T.tidyAsync(async () => { T.ones([1]); await g.wait; });
  const outside = T.ones([1]); // runs while the scope above is open and suspended
  g.open();
  await scoped;
  assert.equal(outside.isDisposed, false, 'an async scope freed a tensor its continuation did not make');
  outside.dispose();
  assert.equal(T.liveTensorCount(), before);
});

test('a sync tidy around tidyAsync does not take the tensors of its synchronous start', async () => {
  let start: T.Tensor | undefined;
  let pending: Promise<T.Tensor> | undefined;
  T.tidy(() => {
    pending = T.tidyAsync(async () => {
      start = T.ones([1]);
      await tick();
      return start.add(1);
    });
    return undefined;
  });
  assert.equal(start!.isDisposed, false, 'the enclosing tidy freed a tensor of the async scope');
  const r = await pending!;
  assert.equal(start!.isDisposed, true);
  assert.equal(r.item(), 2);
  r.dispose();
});

test('untracked work is owned by the caller; adopt hands it to the scope open where it is called', async () => {
  const before = T.liveTensorCount();
  let made: T.Tensor | undefined;
  let later: Promise<T.Tensor> | undefined;
  await T.tidyAsync(async () => {
    made = untracked(() => T.ones([2]));
    later = untracked(() => tick().then(() => T.ones([3])));
    await later;
  });
  assert.equal(made!.isDisposed, false);
  const l = await later!;
  assert.equal(l.isDisposed, false, 'a continuation started by untracked work belonged to the async scope');
  await T.tidyAsync(async () => {
    await tick();
    adopt(made!);
    adopt(l);
  });
  assert.equal(made!.isDisposed, true);
  assert.equal(l.isDisposed, true);
  assert.equal(T.liveTensorCount(), before);
});

test('tidyAsync rejects what is not a function; scopeSize is 0 outside scopes', async () => {
  await assert.rejects(T.tidyAsync(1 as unknown as () => Promise<void>), /expected a function/);
  assert.equal(T.scopeSize(), 0);
  await T.tidyAsync(async () => {
    T.ones([1]);
    await tick();
    T.ones([1]);
    assert.equal(T.scopeSize(), 2);
  });
});
