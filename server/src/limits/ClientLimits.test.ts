import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADDRESS_SUSPECT_MS, CLIENT_PENALTY_MS, ClientLimits, type ClientLimitsOptions } from './ClientLimits';

const opts: ClientLimitsOptions = {
  connectionsPerClient: 3,
  joinsPerClient: 2,
  connectionsPerAddress: 100,
  joinsPerAddress: 100,
  strikesPerClient: 10,
  strikesPerAddress: 30,
};
const NAT = '203.0.113.7';
const browser = (n: number) => ({ address: NAT, key: `client:${n}` });
const cookieless = { address: NAT, key: `address:${NAT}` };

test('each browser behind one address has its own budget; the address has a higher ceiling', () => {
  let t = 0;
  const l = new ClientLimits({ ...opts, connectionsPerAddress: 50 }, () => t);
  for (let i = 0; i < 16; i++) for (let k = 0; k < 3; k++) assert.equal(l.connection(browser(i)), null);
  assert.equal(l.connection(browser(0)), 'client', 'one browser past its own limit');
  assert.equal(l.connection(browser(16)), null, '49 connections from the address so far');
  assert.equal(l.connection(browser(17)), null);
  assert.equal(l.connection(browser(18)), 'address', 'the address ceiling holds, whatever the cookies');
  t = 60_000;
  assert.equal(l.connection(browser(0)), null, 'a new minute');
});

test('connections without a cookie are held to the address ceiling, not one client budget', () => {
  let t = 0;
  const l = new ClientLimits({ ...opts, connectionsPerAddress: 20 }, () => t);
  for (let i = 0; i < 20; i++) assert.equal(l.connection(cookieless), null, 'a crowd of native clients');
  assert.equal(l.connection(cookieless), 'address', 'the ceiling holds');
  assert.equal(l.connection({ address: '198.51.100.1', key: 'address:198.51.100.1' }), null);
  // Refused work by cookie-less clients penalises them together: they cannot be told apart.
  t = 60_000;
  l.strike(cookieless, 10);
  assert.equal(l.connection(cookieless), 'penalty');
  assert.equal(l.connection(browser(1)), null, 'browsers from the same address are not touched');
});

test('a client past its strikes is refused for a penalty, its neighbours are not', () => {
  let t = 0;
  const l = new ClientLimits(opts, () => t);
  assert.equal(l.join(browser(1)), null);
  assert.equal(l.join(browser(2)), null);
  for (let i = 0; i < 2; i++) l.strike(browser(1), 5);
  assert.equal(l.join(browser(1)), 'penalty');
  assert.equal(l.connection(browser(1)), 'penalty');
  assert.equal(l.join(browser(2)), null, 'the browser next to it is not touched');
  assert.equal(l.suspect(NAT), false, 'ten strikes do not make the address suspect');
  t = CLIENT_PENALTY_MS + 1;
  assert.equal(l.join(browser(1)), null, 'the penalty ends');
  l.strike(browser(3), 0);
  assert.equal(l.join(browser(3)), null, 'weight 0 counts nothing');
});

test('a suspect address: known browsers keep their budgets, newcomers share one', () => {
  let t = 0;
  const l = new ClientLimits(opts, () => t);
  for (let i = 0; i < 5; i++) assert.equal(l.connection(browser(i)), null);
  t = 1_000;
  // An attacker minting cookies: each new cookie strikes a few times, under the client limit.
  for (let i = 100; i < 104; i++) {
    assert.equal(l.connection(browser(i)), null);
    l.strike(browser(i), 9);
  }
  assert.equal(l.suspect(NAT), true);
  for (let i = 200; i < 203; i++) assert.equal(l.connection(browser(i)), null, 'newcomers share one budget of 3');
  assert.equal(l.connection(browser(203)), 'newcomers');
  assert.equal(l.connection(cookieless), 'newcomers', 'cookie-less connections are newcomers too');
  for (let i = 0; i < 5; i++) assert.equal(l.connection(browser(i)), null, 'browsers seen before keep working');
  t += ADDRESS_SUSPECT_MS + 60_000;
  assert.equal(l.suspect(NAT), false);
  assert.equal(l.connection(browser(300)), null);
  l.prune();
});
