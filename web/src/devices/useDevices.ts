import { useEffect, useState } from 'react';
import { emptyDeviceLists, listDevices, type DeviceLists } from './devices';

/**
 * The cameras, microphones and speakers, kept current as devices are plugged in or out
 * (`devicechange`). `refreshKey` re-lists after a permission grant reveals labels.
 */
export function useDevices(refreshKey: unknown = null): DeviceLists {
  const [devices, setDevices] = useState<DeviceLists>(emptyDeviceLists);
  useEffect(() => {
    let alive = true;
    const refresh = (): void => {
      void listDevices().then((d) => {
        if (alive) setDevices(d);
      });
    };
    refresh();
    navigator.mediaDevices?.addEventListener('devicechange', refresh);
    return () => {
      alive = false;
      navigator.mediaDevices?.removeEventListener('devicechange', refresh);
    };
  }, [refreshKey]);
  return devices;
}
