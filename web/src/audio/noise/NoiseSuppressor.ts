import { RnnoiseWorkletNode, loadRnnoise } from '@sapphi-red/web-noise-suppressor';
import workletUrl from '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url';
import wasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import simdWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';

/**
 * RNNoise works on 10 ms frames of 48 kHz audio: the context runs at that rate and the browser
 * resamples the microphone into it.
 */
export const RNNOISE_SAMPLE_RATE = 48_000;

/** The wasm (SIMD build where the browser has SIMD), fetched from this origin once per page. */
let wasm: Promise<ArrayBuffer> | null = null;

async function loadWasm(): Promise<ArrayBuffer> {
  wasm ??= (async () => {
    const bytes = await loadRnnoise({ url: wasmUrl, simdUrl: simdWasmUrl });
    // The worklet compiles these bytes again but cannot report a failure (it would send silence):
    // compiling here first turns a refusal (a Content-Security-Policy without
    // 'wasm-unsafe-eval', a browser without WebAssembly) into an error we can fall back on.
    await WebAssembly.compile(bytes);
    return bytes;
  })();
  return wasm.catch((err: unknown) => {
    wasm = null;
    throw err;
  });
}

async function rnnoiseNode(ctx: BaseAudioContext): Promise<RnnoiseWorkletNode> {
  const bytes = await loadWasm();
  await ctx.audioWorklet.addModule(workletUrl);
  const node = new RnnoiseWorkletNode(ctx as AudioContext, { maxChannels: 1, wasmBinary: bytes });
  // One voice: a stereo microphone is mixed down to mono before RNNoise.
  node.channelCount = 1;
  node.channelCountMode = 'explicit';
  return node;
}

/**
 * The microphone through RNNoise: AudioContext (48 kHz) -> MediaStreamAudioSourceNode ->
 * AudioWorkletNode (RNNoise, wasm) -> MediaStreamAudioDestinationNode, whose track is sent in
 * place of the microphone's. The microphone track stays the caller's (mute disables it and the
 * suppressed track carries the silence); `use` moves the input to another microphone without
 * changing the output track. `stop` releases the graph, the worklet's memory and the context.
 */
export class NoiseSuppressor {
  /** Build the graph (nothing connected yet). Throws when RNNoise cannot run here. */
  static async create(): Promise<NoiseSuppressor> {
    const ctx = new AudioContext({ sampleRate: RNNOISE_SAMPLE_RATE, latencyHint: 'interactive' });
    try {
      if (ctx.sampleRate !== RNNOISE_SAMPLE_RATE) {
        throw new Error(`the audio context runs at ${ctx.sampleRate} Hz, RNNoise needs ${RNNOISE_SAMPLE_RATE}`);
      }
      const node = await rnnoiseNode(ctx);
      const out = ctx.createMediaStreamDestination();
      out.channelCount = 1;
      node.connect(out);
      return new NoiseSuppressor(ctx, node, out);
    } catch (err) {
      void ctx.close().catch(() => undefined);
      throw err;
    }
  }

  /** The suppressed audio: the same track for as long as this suppressor runs. */
  readonly track: MediaStreamTrack;
  readonly #ctx: AudioContext;
  readonly #node: RnnoiseWorkletNode;
  readonly #out: MediaStreamAudioDestinationNode;
  #source: MediaStreamAudioSourceNode | null = null;
  #input: MediaStreamTrack | null = null;
  #stopped = false;
  #onFailure: ((err: unknown) => void) | null = null;

  private constructor(ctx: AudioContext, node: RnnoiseWorkletNode, out: MediaStreamAudioDestinationNode) {
    this.#ctx = ctx;
    this.#node = node;
    this.#out = out;
    const track = out.stream.getAudioTracks()[0];
    if (!track) throw new Error('the audio destination has no track');
    this.track = track;
    node.addEventListener('processorerror', () => this.#onFailure?.(new Error('the RNNoise worklet stopped')));
  }

  /** Take `microphone` as the input (replacing the previous one) and return the suppressed track. */
  use(microphone: MediaStreamTrack): MediaStreamTrack {
    if (this.#stopped) throw new Error('the noise suppressor is stopped');
    if (microphone.kind !== 'audio') throw new TypeError('microphone must be an audio track');
    if (microphone === this.#input) return this.track;
    // Firefox refuses a source whose rate differs from the context's: that throws here.
    const source = this.#ctx.createMediaStreamSource(new MediaStream([microphone]));
    this.#source?.disconnect();
    source.connect(this.#node);
    this.#source = source;
    this.#input = microphone;
    // Started from a click (the toggle or Join); resume in case the page's autoplay rules held it.
    if (this.#ctx.state === 'suspended') void this.#ctx.resume().catch(() => undefined);
    return this.track;
  }

  /** Called once if the worklet fails while running. */
  onFailure(listener: (err: unknown) => void): void {
    this.#onFailure = listener;
  }

  /** Idempotent. The microphone track is left alone (its owner stops it). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#onFailure = null;
    this.#source?.disconnect();
    this.#source = null;
    this.#input = null;
    this.#node.disconnect();
    this.#node.destroy();
    this.#out.disconnect();
    this.track.stop();
    void this.#ctx.close().catch(() => undefined);
  }
}

/**
 * What RNNoise costs: renders `seconds` of noisy speech-band audio through the worklet in an
 * OfflineAudioContext (as fast as the CPU allows) and returns the wall time per second of audio,
 * i.e. the share of one core that real-time suppression takes. For diagnostics and benchmarks.
 */
export async function measureRnnoiseCost(
  seconds = 10,
): Promise<{ seconds: number; wallMs: number; coreShare: number }> {
  const ctx = new OfflineAudioContext(1, Math.round(seconds * RNNOISE_SAMPLE_RATE), RNNOISE_SAMPLE_RATE);
  const node = await rnnoiseNode(ctx);
  const tone = new OscillatorNode(ctx, { frequency: 220, type: 'sawtooth' });
  const noise = new AudioBufferSourceNode(ctx, { loop: true });
  const buf = ctx.createBuffer(1, RNNOISE_SAMPLE_RATE, RNNOISE_SAMPLE_RATE);
  const data = buf.getChannelData(0);
  for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * 0.2;
  noise.buffer = buf;
  tone.connect(node);
  noise.connect(node);
  node.connect(ctx.destination);
  tone.start();
  noise.start();
  // The worklet compiles its wasm asynchronously after construction: let it, outside the timing.
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await ctx.startRendering();
  const wallMs = performance.now() - t0;
  node.destroy();
  return { seconds, wallMs, coreShare: wallMs / 1000 / seconds };
}
