import { useEffect, useRef, useState } from 'react';
import type { Call } from '../media/Call';
import { gradeLink, sampleLink, type LinkFigures, type LinkSample, type Quality } from './linkQuality';
import { emptyHistory, recordFigures, type LinkHistory } from './series';

/** How often the connection figures are refreshed, in ms. */
export const QUALITY_POLL_MS = 2_000;

export interface LinkQuality {
  quality: Quality;
  figures: LinkFigures;
  /** The last minute of the charted figures (see series.ts). */
  history: LinkHistory;
}

/**
 * Per remote participant id: the connection figures and grade, sampled from `getStats()` every
 * QUALITY_POLL_MS while the call runs. `videoOn(id)` says whether that person sends video.
 */
export function useLinkQuality(call: Call | null, videoOn: (id: string) => boolean): ReadonlyMap<string, LinkQuality> {
  const [map, setMap] = useState<ReadonlyMap<string, LinkQuality>>(new Map());
  const videoOnRef = useRef(videoOn);
  useEffect(() => {
    videoOnRef.current = videoOn;
  });
  useEffect(() => {
    if (!call) return;
    const samples = new Map<string, LinkSample>();
    const histories = new Map<string, LinkHistory>();
    let alive = true;
    const poll = async (): Promise<void> => {
      let stats: Record<string, RTCStats[]>;
      try {
        stats = await call.getStats();
      } catch {
        return; // the call is closing
      }
      if (!alive) return;
      const now = performance.now();
      const next = new Map<string, LinkQuality>();
      for (const [id, report] of Object.entries(stats)) {
        const sample = sampleLink(report, now, samples.get(id) ?? null);
        samples.set(id, sample);
        const history = recordFigures(histories.get(id) ?? emptyHistory(), now, sample.figures);
        histories.set(id, history);
        next.set(id, {
          figures: sample.figures,
          quality: gradeLink(sample.figures, videoOnRef.current(id)),
          history,
        });
      }
      for (const id of samples.keys()) {
        if (!(id in stats)) {
          samples.delete(id);
          histories.delete(id);
        }
      }
      setMap(next);
    };
    void poll();
    const timer = setInterval(() => void poll(), QUALITY_POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [call]);
  return map;
}
