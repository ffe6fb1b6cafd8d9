/** Listing cameras, microphones and speakers, and choosing a replacement when one goes away. */

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export type DeviceLists = Record<DeviceKind, DeviceOption[]>;

export const emptyDeviceLists: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };

const fallbackLabel: Record<DeviceKind, string> = {
  audioinput: 'Microphone',
  videoinput: 'Camera',
  audiooutput: 'Speaker',
};

/**
 * Group `enumerateDevices()` output by kind, with a readable label for each (browsers hide labels
 * until a permission is granted). Entries without an id are dropped: they cannot be chosen.
 */
export function groupDevices(devices: readonly Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>[]): DeviceLists {
  const out: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };
  for (const d of devices) {
    if (!d.deviceId) continue;
    const list = out[d.kind];
    list.push({ deviceId: d.deviceId, label: d.label || `${fallbackLabel[d.kind]} ${list.length + 1}` });
  }
  return out;
}

export async function listDevices(): Promise<DeviceLists> {
  if (!navigator.mediaDevices?.enumerateDevices) return emptyDeviceLists;
  return groupDevices(await navigator.mediaDevices.enumerateDevices());
}

/**
 * When the device in use (`currentId`) is no longer listed, the id to switch to: the system
 * default when there is one, else the first device. Null when nothing needs to change or
 * nothing is left.
 */
export function replacementFor(currentId: string | undefined, available: readonly DeviceOption[]): string | null {
  if (!currentId || available.some((d) => d.deviceId === currentId)) return null;
  const next = available.find((d) => d.deviceId === 'default') ?? available[0];
  return next ? next.deviceId : null;
}

/** Whether this browser can route audio to a chosen output (`HTMLMediaElement.setSinkId`). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** The device a live track comes from. */
export function trackDeviceId(track: MediaStreamTrack | undefined): string | undefined {
  return track?.getSettings().deviceId;
}
