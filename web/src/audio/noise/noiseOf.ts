import { loadPreferences, savePreferences } from '../../devices/preferences';
import type { Call } from '../../media/Call';
import { NoiseControl, type Suppressor } from './NoiseControl';

/** RNNoise and its worklet: a chunk of its own, fetched only when suppression is turned on. */
const importSuppressor = () => import('./NoiseSuppressor');

/** Build a running suppressor (loads the chunk, the worklet and the wasm on first use). */
export async function loadSuppressor(): Promise<Suppressor> {
  const { NoiseSuppressor } = await importSuppressor();
  return NoiseSuppressor.create();
}

/** Fetch the chunk ahead of the call (the toggle turned on before joining); errors wait for the call. */
export function preloadSuppressor(): void {
  void importSuppressor().catch(() => undefined);
}

const controls = new WeakMap<Call, NoiseControl>();

/**
 * The noise suppression of `call`, created on first use with the remembered choice (call it
 * before `call.start()`, so the suppressed track is ready as early as it can be).
 */
export function noiseOf(call: Call): NoiseControl {
  let control = controls.get(call);
  if (!control) {
    control = new NoiseControl(call, {
      enabled: loadPreferences().noiseSuppression ?? false,
      load: loadSuppressor,
      remember: (on) => savePreferences({ noiseSuppression: on }),
    });
    controls.set(call, control);
    // Diagnostics and tests: the control, and what RNNoise costs on this machine.
    Object.assign(window, {
      __parleyNoise: control,
      __parleyNoiseCost: (seconds?: number) => importSuppressor().then((m) => m.measureRnnoiseCost(seconds)),
    });
  }
  return control;
}
