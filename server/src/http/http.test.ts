import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { originAllowed } from './allowedOrigin';
import { ClientCookie } from './clientCookie';

function req(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: {} } as unknown as IncomingMessage;
}

test('signaling origins: same origin by default, a list, or any', () => {
  const host = 'meet.example.org';
  assert.ok(originAllowed(undefined, host, []), 'no Origin: a non-browser client');
  assert.ok(originAllowed('https://meet.example.org', host, []));
  assert.equal(originAllowed('https://evil.example', host, []), false);
  assert.equal(originAllowed('null', host, []), false);
  assert.ok(originAllowed('https://app.example', 'x', ['https://app.example']));
  assert.equal(originAllowed('https://other.example', 'x', ['https://app.example']), false);
  assert.ok(originAllowed('https://any.example', 'x', ['*']));
});

test('the client cookie is issued once, signed, and forged values are ignored', () => {
  const jar = new ClientCookie();
  let set = '';
  const res = { setHeader: (_: string, v: string) => (set = v) } as unknown as ServerResponse;
  jar.ensure(req({}), res);
  assert.match(set, /^parley_client=[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  const value = set.split(';')[0]!;
  const id = jar.read(req({ cookie: `theme=dark; ${value}` }));
  assert.ok(id);
  set = '';
  jar.ensure(req({ cookie: value }), res);
  assert.equal(set, '', 'not issued again');
  assert.equal(jar.read(req({ cookie: `parley_client=${id}.forged` })), null);
  assert.equal(new ClientCookie().read(req({ cookie: value })), null, 'another server key does not accept it');
});
