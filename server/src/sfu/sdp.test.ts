import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rejectMids } from './sdp';

const answer = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=sendonly',
  'a=ssrc:1 cname:a',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:1',
  'a=sendonly',
  'a=msid:s t',
  'a=ssrc:2 cname:a',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:2',
  'a=inactive',
  '',
].join('\r\n');

test('a rejected mid is answered with port 0, inactive, without sources, and left out of BUNDLE', () => {
  const out = rejectMids(answer, ['1']);
  assert.match(out, /a=group:BUNDLE 0 2\r\n/);
  const video = out.split('\r\nm=')[2] ?? '';
  assert.match(video, /^video 0 /);
  assert.match(video, /a=inactive/);
  assert.doesNotMatch(video, /a=ssrc|a=msid|a=sendonly/);
  // The others are untouched.
  assert.match(out, /m=audio 9 [^\r]*\r\na=mid:0\r\na=sendonly\r\na=ssrc:1/);
  assert.match(out, /m=video 9 [^\r]*\r\na=mid:2\r\na=inactive/);
});

test('nothing to reject leaves the answer as it was', () => {
  assert.equal(rejectMids(answer, []), answer);
  assert.equal(rejectMids(answer, ['9']), answer);
});
