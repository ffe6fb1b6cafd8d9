import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeTimers } from '../callscreen/fakeTimers';
import { NOTICE_INFO_MS, NOTICE_TEXT_MAX, NOTICES_MAX, NoticeStore } from './NoticeStore';

const ids = (s: NoticeStore): string[] => s.list.map((n) => n.id);

test('an informational notice goes after NOTICE_INFO_MS; one with actions stays until answered', () => {
  const clock = fakeTimers();
  const s = new NoticeStore(clock);
  let accepted = 0;
  s.show({ id: 'info', text: 'Saved.' });
  s.show({ id: 'offer', text: 'Ada wants to send you a.pdf', actions: [{ label: 'Accept', run: () => accepted++ }] });
  assert.deepEqual(ids(s), ['info', 'offer']);
  clock.advance(NOTICE_INFO_MS - 1);
  assert.deepEqual(ids(s), ['info', 'offer']);
  clock.advance(1);
  assert.deepEqual(ids(s), ['offer']);
  clock.advance(10 * 60_000);
  assert.deepEqual(ids(s), ['offer'], 'an actionable notice has no timeout');
  s.act('offer', 'Accept');
  assert.equal(accepted, 1);
  assert.deepEqual(ids(s), [], 'answering it takes it away');
  s.act('offer', 'Accept');
  assert.equal(accepted, 1, 'a gone notice runs nothing');
});

test('an explicit timeout applies to a notice with actions too', () => {
  const clock = fakeTimers();
  const s = new NoticeStore(clock);
  s.show({ id: 'chat', text: 'Ada: hi', actions: [{ label: 'Open chat', run: () => {} }], timeoutMs: 3_000 });
  clock.advance(2_999);
  assert.deepEqual(ids(s), ['chat']);
  clock.advance(1);
  assert.deepEqual(ids(s), []);
});

test('hovering or focusing holds the timeout; releasing resumes it with the time that was left', () => {
  const clock = fakeTimers();
  const s = new NoticeStore(clock);
  s.show({ id: 'info', text: 'x' });
  clock.advance(4_000);
  s.hold('info'); // hovered
  s.hold('info'); // and focused
  clock.advance(60_000);
  assert.deepEqual(ids(s), ['info']);
  s.release('info');
  clock.advance(60_000);
  assert.deepEqual(ids(s), ['info'], 'still focused');
  s.release('info');
  clock.advance(1_999);
  assert.deepEqual(ids(s), ['info']);
  clock.advance(1);
  assert.deepEqual(ids(s), []);
  s.release('info'); // after it went: nothing happens
});

test('showing the same id again replaces it in place and restarts its timeout: never doubled', () => {
  const clock = fakeTimers();
  const s = new NoticeStore(clock);
  s.show({ id: 'chat', text: 'Ada: one' });
  s.show({ id: 'other', text: 'y' });
  clock.advance(5_000);
  s.show({ id: 'chat', text: 'Ada: two' });
  assert.deepEqual(
    s.list.map((n) => [n.id, n.text]),
    [
      ['chat', 'Ada: two'],
      ['other', 'y'],
    ],
  );
  clock.advance(1_000);
  assert.deepEqual(ids(s), ['chat'], 'the first timer no longer counts for the replaced notice');
  clock.advance(5_000);
  assert.deepEqual(ids(s), []);
});

test('dismissal: by id, by prefix when moot, on clear; change is emitted each time', () => {
  const s = new NoticeStore(fakeTimers());
  let changes = 0;
  s.on('change', () => changes++);
  const act = [{ label: 'Admit', run: () => {} }];
  s.show({ id: 'lobby:a', text: 'Ada is waiting', actions: act });
  s.show({ id: 'lobby:b', text: 'Bo is waiting', actions: act });
  s.show({ id: 'file:x', text: 'a file', actions: act });
  assert.equal(changes, 3);
  // Bo was admitted from the host panel: the lobby notices still waiting are kept.
  s.dismissWhere('lobby:', (id) => id === 'lobby:a');
  assert.deepEqual(ids(s), ['lobby:a', 'file:x']);
  assert.equal(s.dismiss('file:x'), true);
  assert.equal(s.dismiss('file:x'), false, 'idempotent');
  s.clear();
  assert.deepEqual(ids(s), []);
  const before = changes;
  s.clear();
  assert.equal(changes, before, 'clearing nothing says nothing');
});

test('a keepOpen action leaves its notice for the action to update', () => {
  const s = new NoticeStore(fakeTimers());
  s.show({
    id: 'n',
    text: 'x',
    actions: [{ label: 'Retry', keepOpen: true, run: () => s.show({ id: 'n', text: 'retrying' }) }],
  });
  s.act('n', 'Retry');
  assert.deepEqual(
    s.list.map((n) => n.text),
    ['retrying'],
  );
});

test('a flood never grows past NOTICES_MAX: informational ones go first, then the oldest', () => {
  const s = new NoticeStore(fakeTimers());
  const act = [{ label: 'Accept', run: () => {} }];
  s.show({ id: 'info', text: 'info' });
  for (let i = 0; i < NOTICES_MAX; i++) s.show({ id: `file:${i}`, text: `f${i}`, actions: act });
  assert.equal(s.list.length, NOTICES_MAX);
  assert.equal(s.has('info'), false, 'the informational notice made room');
  s.show({ id: 'file:new', text: 'new', actions: act });
  assert.equal(s.list.length, NOTICES_MAX);
  assert.equal(s.has('file:0'), false, 'then the oldest');
  assert.equal(s.list.at(-1)?.id, 'file:new');
});

test('long text is cut; bad input is refused with a TypeError naming the field', () => {
  const s = new NoticeStore(fakeTimers());
  s.show({ id: 'long', text: 'x'.repeat(5_000) });
  assert.equal(s.list[0]?.text.length, NOTICE_TEXT_MAX);
  assert.ok(s.list[0]?.text.endsWith('…'));
  assert.throws(() => s.show({ id: '', text: 'x' }), /notice id/);
  assert.throws(() => s.show({ id: 'a', text: 'x', timeoutMs: 0 }), /timeoutMs/);
  assert.throws(() => s.show({ id: 'a', text: 'x', timeoutMs: Number.NaN }), /timeoutMs/);
  assert.deepEqual(ids(s), ['long'], 'a refused notice changes nothing');
});
