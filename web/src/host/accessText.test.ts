import assert from 'node:assert/strict';
import { test } from 'node:test';
import { removedText, waitingPhaseFor } from './accessText';
import { invitationToken } from './invitation';

test('removal and end sentences', () => {
  assert.equal(removedText('ended'), 'The host ended the call for everyone.');
  assert.match(removedText('removed', 600), /rejoin in 10 minutes/);
  assert.match(removedText('removed', 30), /rejoin in 1 minute\./);
});

test('password and lobby refusals keep the call waiting; others do not', () => {
  assert.equal(waitingPhaseFor('password-required'), 'password');
  assert.equal(waitingPhaseFor('wrong-password'), 'password');
  assert.equal(waitingPhaseFor('password-limited'), 'password', 'too many attempts: wait, then type again');
  assert.equal(waitingPhaseFor('server-busy'), 'password');
  assert.equal(waitingPhaseFor('in-lobby'), 'lobby');
  assert.equal(waitingPhaseFor('room-locked'), null);
});

test('the invitation token is read from the fragment', () => {
  assert.equal(invitationToken('#token=a.b.c'), 'a.b.c');
  assert.equal(invitationToken(''), undefined);
  assert.equal(invitationToken('#other=1'), undefined);
  assert.equal(invitationToken(`#token=${'x'.repeat(3000)}`), undefined);
});
