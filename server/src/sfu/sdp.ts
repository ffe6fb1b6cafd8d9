/**
 * Edits of SDP text the forwarding unit's answers need beyond what its engine writes.
 */

/**
 * Reject (port 0, `inactive`) the answer's m-sections of these mids, and leave them out of the
 * BUNDLE group: a browser that stopped a transceiver offers its m-section with port 0, and
 * JSEP requires the answer to reject it too.
 */
export function rejectMids(sdp: string, mids: readonly string[]): string {
  if (mids.length === 0) return sdp;
  const nl = sdp.includes('\r\n') ? '\r\n' : '\n';
  const rejected = new Set(mids);
  const [head = '', ...sections] = sdp.split(`${nl}m=`);
  const out = sections.map((section) => {
    const mid = new RegExp(`${nl}a=mid:(\\S+)`).exec(section)?.[1];
    if (mid === undefined || !rejected.has(mid)) return section;
    return section
      .replace(/^(\w+) \d+/, '$1 0')
      .replace(/(\r?\n)a=(sendrecv|sendonly|recvonly)(?=\r?\n|$)/, '$1a=inactive')
      .split(nl)
      .filter((line) => !line.startsWith('a=ssrc') && !line.startsWith('a=msid'))
      .join(nl);
  });
  const headOut = head.replace(/a=group:BUNDLE ([^\r\n]*)/, (_m, list: string) => {
    const kept = list.split(' ').filter((m) => m !== '' && !rejected.has(m));
    return `a=group:BUNDLE ${kept.join(' ')}`;
  });
  return [headOut, ...out].join(`${nl}m=`);
}

/**
 * The mids an offer rejects: m-sections with port 0, except `a=bundle-only` ones, which carry
 * port 0 because they ride on the bundle's transport (Firefox offers every section after the
 * first that way).
 */
export function rejectedMids(sdp: string): string[] {
  const out: string[] = [];
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const port = /^\w+ (\d+)/.exec(section)?.[1];
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    if (port === '0' && mid !== undefined && !/\r?\na=bundle-only(\r?\n|$)/.test(section)) out.push(mid);
  }
  return out;
}
