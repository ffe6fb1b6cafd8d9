/**
 * Small, targeted edits of session descriptions. Each one changes only the lines it names and
 * leaves everything else byte for byte.
 */

/** Video codecs whose encoder start bitrate Chromium reads from `x-google-start-bitrate`. */
const START_BITRATE_CODECS = new Set(['VP8', 'VP9', 'H264', 'AV1', 'H265']);

/**
 * Ask the browser to start its video encoders at `kbps` instead of its default (300 kbps in
 * Chromium, which makes the first frames small and slow to reach full quality). Applied to a
 * remote description before it is set: the codec parameters a side sends with come from the
 * other side's description. Browsers that do not know the parameter ignore it.
 */
export function withStartBitrate(sdp: string, kbps: number): string {
  if (!Number.isInteger(kbps) || kbps <= 0) throw new RangeError(`kbps: expected a positive whole number, got ${kbps}`);
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  let video = false;
  // Payload types of the current video section that take the parameter, and those with an fmtp line.
  let types = new Set<string>();
  let withFmtp = new Set<string>();
  const section: string[] = [];

  const flush = (): void => {
    for (const line of section) {
      const rtpmap = /^a=rtpmap:(\d+) /.exec(line);
      out.push(line);
      if (video && rtpmap && types.has(rtpmap[1] as string) && !withFmtp.has(rtpmap[1] as string)) {
        out.push(`a=fmtp:${rtpmap[1]} x-google-start-bitrate=${kbps}`);
      }
    }
    section.length = 0;
  };

  for (const [index, raw] of lines.entries()) {
    if (raw.startsWith('m=')) {
      flush();
      video = raw.startsWith('m=video');
      types = new Set();
      withFmtp = new Set();
      // Collect this section's codecs ahead: fmtp lines may come before or after rtpmap lines.
      for (let i = index + 1; i < lines.length && !(lines[i] as string).startsWith('m='); i++) {
        const l = lines[i] as string;
        const m = /^a=rtpmap:(\d+) ([^/]+)\//.exec(l);
        if (m && START_BITRATE_CODECS.has((m[2] as string).toUpperCase())) types.add(m[1] as string);
        const f = /^a=fmtp:(\d+) /.exec(l);
        if (f) withFmtp.add(f[1] as string);
      }
    }
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(raw);
    if (video && fmtp && types.has(fmtp[1] as string)) {
      const params = (fmtp[2] as string)
        .split(';')
        .map((p) => p.trim())
        .filter((p) => p !== '' && !p.startsWith('x-google-start-bitrate='));
      section.push(`a=fmtp:${fmtp[1]} ${[...params, `x-google-start-bitrate=${kbps}`].join(';')}`);
      continue;
    }
    section.push(raw);
  }
  flush();
  return out.join(eol);
}
