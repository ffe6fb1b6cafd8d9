import assert from 'node:assert/strict';
import { test } from 'node:test';
import './zodLocale';
import { parseClientEvent } from '@parley/protocol';

test('refusals of malformed messages say what was wrong, in English (zod/mini loads no locale itself)', () => {
  const short = parseClientEvent('signal', { to: '', data: { kind: 'candidate', candidate: null } });
  assert.equal(short.ok, false);
  assert.match(!short.ok ? short.message : '', /^signal: to: Too small: expected string to have >=1 characters?$/);
  const type = parseClientEvent('media-state', { audio: 'yes', video: true });
  assert.match(!type.ok ? type.message : '', /^media-state: audio: Invalid input: expected boolean, received string$/);
  const extra = parseClientEvent('leave', { now: true });
  assert.match(!extra.ok ? extra.message : '', /Unrecognized key/);
  // The schemas' own sentences are kept as written.
  const room = parseClientEvent('check', { room: 'no spaces' });
  assert.match(!room.ok ? room.message : '', /room: 1-64 letters, digits/);
});
