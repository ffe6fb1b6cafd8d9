/** What the camera's background becomes: left as it is, blurred, or one plain colour. */
export type BackgroundMode = 'none' | 'blur' | 'colour';

export const BACKGROUND_MODES: readonly BackgroundMode[] = ['none', 'blur', 'colour'];

export const backgroundModeLabel: Record<BackgroundMode, string> = {
  none: 'None',
  blur: 'Blur',
  colour: 'Colour',
};

/**
 * The plain background colour (a muted teal that no fake camera shows and that survives video
 * compression well enough to be recognised on the other side).
 */
export const BACKGROUND_COLOUR = { r: 32, g: 110, b: 96 } as const;

export const backgroundColourCss = `rgb(${BACKGROUND_COLOUR.r}, ${BACKGROUND_COLOUR.g}, ${BACKGROUND_COLOUR.b})`;

/** A remembered value read back from storage: anything but a known mode is `none`. */
export function parseBackgroundMode(v: unknown): BackgroundMode {
  return typeof v === 'string' && (BACKGROUND_MODES as readonly string[]).includes(v) ? (v as BackgroundMode) : 'none';
}
