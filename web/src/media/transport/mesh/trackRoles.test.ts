import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PublishedTrack } from '@parley/protocol';
import { announce, cameraTransceiver, remoteRole, rolesFrom, type TransceiverLike } from './trackRoles';

const tr = (mid: string | null, kind: 'audio' | 'video', currentDirection: RTCRtpTransceiverDirection | null = null) =>
  ({ mid, currentDirection, receiver: { track: { kind } } }) satisfies TransceiverLike;

describe('track roles', () => {
  test("a version-1 client's description (no roles): order decides, as before", () => {
    const all = [tr('0', 'audio'), tr('1', 'video'), tr('3', 'video'), tr('4', 'audio')];
    assert.deepEqual(
      all.map((t) => remoteRole(t, all, null)),
      ['microphone', 'camera', 'screen', 'screen-audio'],
    );
    assert.equal(cameraTransceiver(all, 'video', null), all[1]);
  });

  test('announced roles win over order, so a track is never taken for another', () => {
    // A sender whose camera transceiver is not the first video one (its first was stopped and a
    // screen took a new line before the camera): order would swap them.
    const all = [tr('0', 'audio'), tr('1', 'video'), tr('2', 'video')];
    const said: PublishedTrack[] = [
      { mid: '0', participant: 'bob', role: 'microphone' },
      { mid: '1', participant: 'bob', role: 'screen' },
      { mid: '2', participant: 'bob', role: 'camera' },
    ];
    const roles = rolesFrom(said, 'bob');
    assert.deepEqual(
      all.map((t) => remoteRole(t, all, roles)),
      ['microphone', 'screen', 'camera'],
    );
    assert.equal(cameraTransceiver(all, 'video', roles), all[2]);
    // A mid the sender did not mention falls back to order.
    assert.equal(remoteRole(tr('9', 'video'), all, roles), 'screen');
  });

  test('entries naming another participant are ignored (a sender speaks for its own tracks)', () => {
    const roles = rolesFrom([{ mid: '1', participant: 'mallory', role: 'screen' }], 'bob');
    const all = [tr('0', 'audio'), tr('1', 'video')];
    assert.equal(remoteRole(all[1] as TransceiverLike, all, roles), 'camera');
  });

  test('a stopped line is not adopted for the camera and not announced', () => {
    const all = [tr('0', 'video', 'stopped'), tr('1', 'video')];
    assert.equal(cameraTransceiver(all, 'video', null), all[1]);
    assert.deepEqual(
      announce(all, () => 'camera', 'me'),
      [{ mid: '1', participant: 'me', role: 'camera' }],
    );
  });

  test('only transceivers with a mid and a role are announced', () => {
    const cam = tr('1', 'video');
    const all = [tr(null, 'audio'), cam, tr('2', 'video')];
    assert.deepEqual(
      announce(all, (t) => (t === cam ? 'camera' : undefined), 'me'),
      [{ mid: '1', participant: 'me', role: 'camera' }],
    );
  });
});
