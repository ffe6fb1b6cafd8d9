/**
 * The person segmentation model: MediaPipe's selfie segmentation, shipped inside the npm package
 * `@mediapipe/selfie_segmentation` (its loader, wasm and tflite model). Vite emits every file
 * as an asset of this origin; `locateFile` points the loader at them, so nothing comes from a
 * CDN. This module is imported lazily (only when someone turns an effect on).
 *
 * The package runs on the page's thread only (it refuses a worker) and needs WebGL2; the
 * processor therefore paces it (pacing.ts) instead of running it on every frame.
 */
import loaderUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.js?url';
import graphUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.binarypb?url';
import modelUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.tflite?url';
import landscapeModelUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url';
import wasmLoaderUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_wasm_bin.js?url';
import wasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_wasm_bin.wasm?url';
import simdLoaderUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.js?url';
import simdWasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.wasm?url';
import simdDataUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.data?url';
import type { Results, SelfieSegmentation } from '@mediapipe/selfie_segmentation';

/** Every file the package asks for, by the name it asks with, at the URL the build gave it. */
export const MODEL_FILES: Readonly<Record<string, string>> = {
  'selfie_segmentation.binarypb': graphUrl,
  'selfie_segmentation.tflite': modelUrl,
  'selfie_segmentation_landscape.tflite': landscapeModelUrl,
  'selfie_segmentation_solution_wasm_bin.js': wasmLoaderUrl,
  'selfie_segmentation_solution_wasm_bin.wasm': wasmUrl,
  'selfie_segmentation_solution_simd_wasm_bin.js': simdLoaderUrl,
  'selfie_segmentation_solution_simd_wasm_bin.wasm': simdWasmUrl,
  'selfie_segmentation_solution_simd_wasm_bin.data': simdDataUrl,
};

/** The URL of a file the package asks for; an unknown name is an error, never a CDN guess. */
export function locateModelFile(name: string): string {
  const url = MODEL_FILES[name];
  if (!url) throw new Error(`the segmentation model asked for an unknown file: ${name}`);
  return url;
}

type SelfieSegmentationCtor = new (config: { locateFile: (name: string) => string }) => SelfieSegmentation;

let loader: Promise<SelfieSegmentationCtor> | null = null;

/** Load the package's loader script once (a same-origin <script>: the package sets a global). */
function loadLoader(): Promise<SelfieSegmentationCtor> {
  loader ??= new Promise<SelfieSegmentationCtor>((resolve, reject) => {
    const existing = (globalThis as { SelfieSegmentation?: SelfieSegmentationCtor }).SelfieSegmentation;
    if (existing) return resolve(existing);
    const script = document.createElement('script');
    script.src = loaderUrl;
    script.async = true;
    script.onload = () => {
      const ctor = (globalThis as { SelfieSegmentation?: SelfieSegmentationCtor }).SelfieSegmentation;
      if (ctor) resolve(ctor);
      else reject(new Error('the segmentation loader did not start'));
    };
    script.onerror = () => reject(new Error('the segmentation loader could not be fetched'));
    document.head.append(script);
  }).catch((err: unknown) => {
    loader = null;
    throw err;
  });
  return loader;
}

/** One model instance: give it a small frame, get the person's mask (alpha = person). */
export interface Segmenter {
  /** Segment `input`; the mask is drawn into `mask` (scaled to its size). */
  segment(input: HTMLCanvasElement, mask: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D): Promise<void>;
  close(): Promise<void>;
}

/** Start a model instance; resolves once it has segmented a first (blank) frame. */
export async function createSegmenter(): Promise<Segmenter> {
  if (typeof document === 'undefined') throw new Error('no page to run the model on');
  const probe = document.createElement('canvas').getContext('webgl2');
  if (!probe) throw new Error('this browser has no WebGL2');
  const Ctor = await loadLoader();
  const model = new Ctor({ locateFile: locateModelFile });
  // Landscape (256x144): the cheaper of the two, made for video calls.
  model.setOptions({ modelSelection: 1, selfieMode: false });
  let target: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;
  model.onResults((r: Results) => {
    if (!target) return;
    const c = target.canvas;
    target.globalCompositeOperation = 'copy';
    target.drawImage(r.segmentationMask, 0, 0, c.width, c.height);
  });
  await model.initialize();
  let closed = false;
  return {
    async segment(input, mask) {
      if (closed) throw new Error('the segmentation model was closed');
      target = mask;
      try {
        await model.send({ image: input });
      } finally {
        target = null;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await model.close();
    },
  };
}
