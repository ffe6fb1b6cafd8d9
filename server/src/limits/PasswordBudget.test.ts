import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasswordBudget } from './PasswordBudget';

test('right passwords cost little, wrong ones most; per address and per room, per minute', () => {
  let t = 0;
  const b = new PasswordBudget(30, 1_000, () => t);
  for (let i = 0; i < 30; i++) assert.ok(b.begin('10.0.0.1', `room-${i}`), `right password ${i}`);
  assert.equal(b.begin('10.0.0.1', 'room-x'), false, 'the address budget is spent');
  assert.ok(b.begin('10.0.0.2', 'room-x'), 'another address has its own');
  t = 60_000;
  for (let i = 0; i < 3; i++) {
    assert.ok(b.begin('10.0.0.1', 'room-y'));
    b.failed('10.0.0.1', 'room-y');
  }
  assert.equal(b.begin('10.0.0.1', 'room-z'), false, 'three failures spend 30');
});

test('a room has its own budget whatever the address: guesses spread over addresses still run out', () => {
  const b = new PasswordBudget(0, 60, () => 0);
  for (let i = 0; i < 6; i++) {
    assert.ok(b.begin(`10.0.0.${i}`, 'victim'));
    b.failed(`10.0.0.${i}`, 'victim');
  }
  assert.equal(b.begin('10.0.0.99', 'victim'), false);
  assert.ok(b.begin('10.0.0.99', 'other-room'));
  assert.ok(new PasswordBudget(0, 0).begin('a', 'b'), '0 = unlimited');
});
