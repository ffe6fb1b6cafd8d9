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
