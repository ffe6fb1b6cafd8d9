import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Call } from '../media/Call';
import { handOff, settleHandOff, takeHandOff, type StartedChoice } from './handoff';

function choice(name: string, room: string): StartedChoice {
  const call = { leave: async () => undefined } as unknown as Call;
  const stream = { getTracks: () => [] } as unknown as MediaStream;
  return {
    name,
    room,
    media: { stream, problems: {} } as StartedChoice['media'],
    startMuted: false,
    startCameraOff: true,
    speakerId: '',
    call,
  };
}

test('the handed-off call is found by every render of the call screen until it is on screen', () => {
  const c = choice('Ada', 'room-1');
  handOff(c);
  assert.equal(takeHandOff('room-1', 'Grace'), null, 'another name');
  assert.equal(takeHandOff('room-2', 'Ada'), null, 'another room');
  // A transition rendered twice (restarted by an update meanwhile) reads it twice.
  assert.equal(takeHandOff('room-1', 'Ada'), c);
  assert.equal(takeHandOff('room-1', 'Ada'), c);
  settleHandOff(choice('Ada', 'room-1'));
  assert.equal(takeHandOff('room-1', 'Ada'), c, 'only its own screen settles it');
  settleHandOff(c);
  assert.equal(takeHandOff('room-1', 'Ada'), null, 'coming back to the address later starts afresh');
});
