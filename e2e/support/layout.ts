import type { Page } from 'playwright-core';

/*
 * Layout snapshots: where the things a person uses sit on screen (headings, fields, buttons,
 * video tiles, the side panel, the call controls), by kind and accessible name, in CSS pixels.
 * Compared with the committed ones (docs/screenshots/layout.json), they catch a layout change
 * (a control that moved, grew, vanished or appeared) without comparing the pixels of live video.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Boxes by key: `<kind>:<name>` (with `#2`, `#3` for a repeated key), in document order. */
export type Layout = Record<string, Box>;

/** The layout of what `page` shows now. Notices, toasts and reactions (they come and go) are left out. */
export async function captureLayout(page: Page): Promise<Layout> {
  // The test runner's compiler names inner functions through a `__name` helper the page lacks.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate(() => {
    const kinds: Array<[string, string]> = [
      ['heading', 'main h1, main h2, #side-panel h2'],
      ['field', 'input:not([type=hidden]):not([type=file]), select, textarea'],
      ['button', 'button'],
      ['tile', '[data-testid="remote-tile"], [data-testid="local-tile"]'],
      ['panel', '#side-panel'],
      ['controls', 'nav.controls'],
      ['preview', 'video[aria-label="Your camera preview"]'],
    ];
    const transient = '[role="status"], [role="alert"], .notices, [data-testid="reaction-float"], .tip';
    const nameOf = (el: Element): string => {
      const label =
        (el.matches('[data-testid$="-tile"]') ? el.querySelector('.tile-name')?.textContent : null) ??
        el.getAttribute('aria-label') ??
        (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null) ??
        el.closest('label')?.textContent ??
        el.textContent ??
        '';
      return label.replace(/\s+/g, ' ').trim().slice(0, 40);
    };
    const out: Record<string, { x: number; y: number; w: number; h: number }> = {};
    for (const [kind, selector] of kinds) {
      for (const el of document.querySelectorAll(selector)) {
        if (el.closest(transient)) continue;
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
        const base = `${kind}:${nameOf(el)}`;
        let key = base;
        for (let n = 2; key in out; n++) key = `${base}#${n}`;
        out[key] = { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width), h: Math.round(r.height) };
      }
    }
    return out;
  });
}

/**
 * The differences between an expected and an actual layout: elements missing or new, and
 * elements whose position or size moved by more than `tolerance` CSS pixels. Empty when equal.
 */
export function compareLayouts(expected: Layout, actual: Layout, tolerance = 8): string[] {
  const out: string[] = [];
  for (const [key, e] of Object.entries(expected)) {
    const a = actual[key];
    if (!a) {
      out.push(`${key}: gone (was at ${e.x},${e.y} ${e.w}x${e.h})`);
      continue;
    }
    const moved = (['x', 'y', 'w', 'h'] as const).filter((k) => Math.abs(a[k] - e[k]) > tolerance);
    if (moved.length > 0) out.push(`${key}: ${e.x},${e.y} ${e.w}x${e.h} -> ${a.x},${a.y} ${a.w}x${a.h}`);
  }
  for (const [key, a] of Object.entries(actual)) {
    if (!(key in expected)) out.push(`${key}: new at ${a.x},${a.y} ${a.w}x${a.h}`);
  }
  return out;
}
