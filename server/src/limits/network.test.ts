import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkOf } from './network';

test('IPv6 addresses stand for their /64; IPv4 and anything else stay as they are', () => {
  assert.equal(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(networkOf('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(networkOf('2001:0db8:0001:0002:0000:0000:0000:0001'), '2001:db8:1:2::/64');
  assert.equal(networkOf('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(networkOf('2001:db8::'), '2001:db8:0:0::/64');
  assert.equal(networkOf('::1'), '0:0:0:0::/64');
  assert.equal(networkOf('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
  assert.equal(networkOf('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  assert.equal(networkOf('203.0.113.9'), '203.0.113.9');
  assert.equal(networkOf(''), '');
  assert.equal(networkOf('not an address'), 'not an address');
  // Two addresses of one subscriber's /64 are one network; a neighbouring /64 is another.
  assert.equal(networkOf('2001:db8:1:2::dead'), networkOf('2001:db8:1:2:ffff::beef'));
  assert.notEqual(networkOf('2001:db8:1:2::1'), networkOf('2001:db8:1:3::1'));
});
