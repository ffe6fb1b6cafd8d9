import { useEffect, useState } from 'react';
import { LevelMeter } from '../audio/LevelMeter';

/** A live microphone level bar, so a person sees that their microphone hears them. */
export function MicMeter({ track, muted }: { track: MediaStreamTrack | undefined; muted: boolean }) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!track || muted) return;
    const meter = new LevelMeter(track);
    const timer = setInterval(() => setLevel(meter.level()), 100);
    return () => {
      clearInterval(timer);
      meter.close();
      setLevel(0);
    };
  }, [track, muted]);
  return (
    <div className="mic-meter">
      <span aria-hidden="true">{muted ? 'Microphone muted' : 'Microphone level'}</span>
      <meter
        min={0}
        max={1}
        low={0.3}
        high={0.9}
        optimum={0.6}
        value={muted ? 0 : level}
        aria-label="Microphone level"
      />
    </div>
  );
}
