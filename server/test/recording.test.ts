import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { OkReply, RecordingState } from '@parley/protocol';
import type { ParleyServer } from '../src/ParleyServer';
import { DISCONNECT_GRACE_MS } from '../src/liveness';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer());
});
afterEach(() => closeAllSockets());
after(() => server.close());

async function refusal(reply: Promise<OkReply>): Promise<string> {
  const r = await reply;
  assert.equal(r.ok, false, `expected a refusal, got ${JSON.stringify(r).slice(0, 120)}`);
  return r.ok ? '' : r.error;
}

const names = (s: RecordingState): string[] => s.recorders.map((r) => r.name);

test('recording: a start is announced to everyone before it is answered; a stop takes the badge away', async () => {
  const [a, b] = await Promise.all([connect(url), connect(url)]);
  const ja = await join(a, { room: 'rec-1', name: 'Ada' });
  assert.deepEqual(ja.recording, { hostOnly: false, recorders: [] });
  await join(b, { room: 'rec-1', name: 'Bob' });
  const atA = next<RecordingState>(a, 'recording-state');
  const atB = next<RecordingState>(b, 'recording-state');
  const seenBeforeReply = collect<RecordingState>(b, 'recording-state');
  const reply = await request<OkReply>(b, 'recording-start', {});
  assert.deepEqual(reply, { ok: true });
  assert.equal(seenBeforeReply.length, 1, 'the recorder hears the state before its answer');
  assert.deepEqual(names(await atA), ['Bob']);
  assert.deepEqual(names(await atB), ['Bob']);
  // A repeated start changes nothing and announces nothing.
  const again = collect(a, 'recording-state');
  assert.deepEqual(await request(b, 'recording-start', {}), { ok: true });
  await sleep(50);
  assert.equal(again.length, 0);

  const stopped = next<RecordingState>(a, 'recording-state');
  assert.deepEqual(await request(b, 'recording-stop', {}), { ok: true });
  assert.deepEqual((await stopped).recorders, []);
  assert.deepEqual(await request(b, 'recording-stop', {}), { ok: true }, 'a stop is idempotent');
});

test('recording: a late joiner gets who records in its join reply', async () => {
  const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
  const ja = await join(a, { room: 'rec-2', name: 'Ada' });
  await join(b, { room: 'rec-2', name: 'Bob' });
  await request(a, 'recording-start', {});
  const jc = await join(c, { room: 'rec-2', name: 'Cy' });
  assert.equal(jc.recording?.recorders.length, 1);
  assert.equal(jc.recording?.recorders[0]?.id, ja.self.id);
  assert.equal(jc.recording?.recorders[0]?.name, 'Ada');
  assert.ok((jc.recording?.recorders[0]?.since ?? 0) > 0);
});

test('recording: host only: a guest is refused, the host may record, and turning it on ends guests’ recordings', async () => {
  const [a, b] = await Promise.all([connect(url), connect(url)]);
  await join(a, { room: 'rec-3', name: 'Host' });
  await join(b, { room: 'rec-3', name: 'Guest' });
  assert.deepEqual(await request(b, 'recording-start', {}), { ok: true });
  assert.equal(await refusal(request(b, 'recording-policy', { hostOnly: true })), 'not-host');

  const atB = next<RecordingState>(b, 'recording-state');
  assert.deepEqual(await request(a, 'recording-policy', { hostOnly: true }), { ok: true });
  const s = await atB;
  assert.equal(s.hostOnly, true);
  assert.deepEqual(s.recorders, [], "the guest's recording ended with the setting");

  const r = await request<OkReply>(b, 'recording-start', {});
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.error, 'recording-host-only');
  assert.match(r.ok ? '' : r.message, /Only the host may record/);
  assert.deepEqual(server.rooms.get('rec-3')?.recording.state().recorders, []);

  const hostRecords = next<RecordingState>(b, 'recording-state');
  assert.deepEqual(await request(a, 'recording-start', {}), { ok: true });
  assert.deepEqual(names(await hostRecords), ['Host']);
  const open = next<RecordingState>(b, 'recording-state');
  assert.deepEqual(await request(a, 'recording-policy', { hostOnly: false }), { ok: true });
  assert.equal((await open).hostOnly, false);
  assert.deepEqual(await request(b, 'recording-start', {}), { ok: true }, 'everyone may record again');
});

test('recording: host only: a host who hands the role over stops recording; the new host may record', async () => {
  const [a, b] = await Promise.all([connect(url), connect(url)]);
  await join(a, { room: 'rec-handover', name: 'Host' });
  const jb = await join(b, { room: 'rec-handover', name: 'Guest' });
  assert.deepEqual(await request(a, 'recording-policy', { hostOnly: true }), { ok: true });
  assert.deepEqual(await request(a, 'recording-start', {}), { ok: true });
  assert.deepEqual(names(server.rooms.get('rec-handover')!.recording.state()), ['Host']);

  const atA = next<RecordingState>(a, 'recording-state');
  assert.deepEqual(await request(a, 'host-transfer', { id: jb.self.id }), { ok: true });
  const s = await atA;
  assert.equal(s.hostOnly, true);
  assert.deepEqual(s.recorders, [], 'the former host is not the host any more: its recording ended');
  assert.equal(await refusal(request(a, 'recording-start', {})), 'recording-host-only');
  assert.deepEqual(await request(b, 'recording-start', {}), { ok: true }, 'the new host may record');
});

test('recording: a recorder who leaves ends its recording at once; one whose connection drops after the grace', async () => {
  const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
  await join(a, { room: 'rec-4', name: 'Ada' });
  await join(b, { room: 'rec-4', name: 'Bob' });
  await join(c, { room: 'rec-4', name: 'Cy' });
  await request(b, 'recording-start', {});
  await request(c, 'recording-start', {});

  const afterLeave = next<RecordingState>(a, 'recording-state');
  await request(b, 'leave', {});
  assert.deepEqual(names(await afterLeave), ['Cy']);

  const drop = collect<RecordingState>(a, 'recording-state');
  const ended = next<RecordingState>(a, 'recording-state', DISCONNECT_GRACE_MS + 2_000);
  const t0 = Date.now();
  c.io.engine.close(); // the network drops: a resume within the grace would keep the recording
  await sleep(DISCONNECT_GRACE_MS / 2);
  assert.equal(drop.length, 0, 'still shown as recording within the grace');
  assert.deepEqual((await ended).recorders, []);
  assert.ok(Date.now() - t0 >= DISCONNECT_GRACE_MS - 50);
});

test('recording: bad input is refused with a clear error and changes nothing', async () => {
  const [a, outsider] = await Promise.all([connect(url), connect(url)]);
  await join(a, { room: 'rec-5', name: 'Ada' });
  const seen = collect(a, 'recording-state');
  for (const [event, payload] of [
    ['recording-start', { file: 'x.webm' }],
    ['recording-start', 'now'],
    ['recording-stop', { everyone: true }],
    ['recording-policy', {}],
    ['recording-policy', { hostOnly: 'yes' }],
  ] as const) {
    const r = await request<OkReply>(a, event, payload);
    assert.equal(r.ok, false, `${event} ${JSON.stringify(payload)}`);
    assert.equal(r.ok ? '' : r.error, 'invalid-message');
    assert.match(r.ok ? '' : r.message, new RegExp(event));
  }
  assert.equal(await refusal(request(outsider, 'recording-start', {})), 'not-joined');
  await sleep(50);
  assert.equal(seen.length, 0);
  assert.deepEqual(server.rooms.get('rec-5')?.recording.state(), { hostOnly: false, recorders: [] });
});

test('recording: starts and stops are rate limited per participant', async () => {
  const a = await connect(url);
  await join(a, { room: 'rec-6', name: 'Ada' });
  const replies: OkReply[] = [];
  for (let i = 0; i < 6; i++) {
    replies.push(await request<OkReply>(a, 'recording-start', {}));
    replies.push(await request<OkReply>(a, 'recording-stop', {}));
  }
  const refused = replies.filter((r) => !r.ok);
  assert.ok(refused.length >= 1, 'over RECORDING_ACTIONS_PER_MINUTE a start is refused');
  assert.ok(refused.every((r) => !r.ok && r.error === 'rate-limited'));
  assert.deepEqual(server.rooms.get('rec-6')?.recording.state().recorders, [], 'never left shown as recording');
});
