import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GateFullError, WorkGate } from './WorkGate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('at most `concurrency` jobs run; a bounded number wait; the next is refused at once', async () => {
  const gate = new WorkGate(1, 2);
  const started: number[] = [];
  const jobs = [deferred(), deferred(), deferred()];
  const runs = jobs.map((d, i) =>
    gate.run(async () => {
      started.push(i);
      await d.promise;
      return i;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0], 'one at a time');
  assert.equal(gate.running, 1);
  assert.equal(gate.queued, 2);
  await assert.rejects(
    gate.run(async () => 'never'),
    GateFullError,
  );
  jobs[0]!.resolve();
  assert.equal(await runs[0], 0);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1], 'the next waiter takes the freed slot, in order');
  jobs[1]!.resolve();
  jobs[2]!.resolve();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(gate.running, 0);
  assert.equal(gate.queued, 0);
});

test('a failing job frees its slot; bad arguments are refused at construction', async () => {
  const gate = new WorkGate(1, 0);
  await assert.rejects(
    gate.run(() => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await gate.run(async () => 'next'), 'next');
  assert.throws(() => new WorkGate(0, 1), TypeError);
  assert.throws(() => new WorkGate(1, -1), TypeError);
});
