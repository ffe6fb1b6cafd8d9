import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { guarded } from './guard';

function logger(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines };
}

test('a listener that throws is logged, not thrown', () => {
  const { log, lines } = logger();
  const fn = guarded(log, 'boom', (n: number) => {
    if (n > 0) throw new RangeError('Maximum call stack size exceeded');
  });
  assert.doesNotThrow(() => fn(1));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.handler, 'boom');
  assert.equal(lines[0]?.msg, 'handler failed');
});

test('a listener whose promise rejects is logged, not left unhandled', async () => {
  const { log, lines } = logger();
  let unhandled = 0;
  const onUnhandled = (): void => void unhandled++;
  process.on('unhandledRejection', onUnhandled);
  try {
    guarded(log, 'async', async () => {
      await Promise.resolve();
      throw new Error('late');
    })();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(unhandled, 0);
    assert.equal(lines.length, 1);
    assert.match(String((lines[0]?.err as { message?: string } | undefined)?.message), /late/);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('arguments pass through unchanged', () => {
  const { log } = logger();
  const seen: unknown[] = [];
  guarded(log, 'args', (...args: unknown[]) => void seen.push(...args))(1, 'a', null);
  assert.deepEqual(seen, [1, 'a', null]);
});
