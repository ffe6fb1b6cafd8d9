import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';

const fx = useServerAndChromium();

interface Chart {
  figure: string;
  points: number;
  line: string;
  label: string;
}

function charts(page: Page): Promise<Chart[]> {
  return page.locator('[data-testid="quality-panel"] [data-testid="quality-chart"]').evaluateAll((figs) =>
    figs.map((f) => ({
      figure: (f as HTMLElement).dataset.figure ?? '',
      points: Number((f as HTMLElement).dataset.points ?? 0),
      line: f.querySelector('polyline')?.getAttribute('points') ?? '',
      label: f.querySelector('svg')?.getAttribute('aria-label') ?? '',
    })),
  );
}

test('the Connection panel charts the last minute of round trip, bitrate, loss and frame rate, and the lines move', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-charts');
    await joinThroughUi(bob.page, 'Bob', 'e2e-charts');
    await waitForRemoteVideos(alice.page, 1);

    await chooseMore(alice.page, 'Connection');
    await alice.page.getByTestId('quality-panel').waitFor();

    // Every figure has a line of at least two points (samples come every 2 s; rates need two).
    let first: Chart[] = [];
    const drawn = (cs: Chart[]): boolean =>
      cs.length === 4 && cs.every((c) => c.points >= 2 && c.line.split(' ').length === c.points);
    for (let i = 0; i < 60 && !drawn(first); i++) {
      if (i > 0) await alice.page.waitForTimeout(250);
      first = await charts(alice.page);
    }
    assert.ok(drawn(first), `four charts with lines: ${JSON.stringify(first)}`);
    assert.deepEqual(
      first.map((c) => c.figure),
      ['rttMs', 'inKbps', 'lossPercent', 'fps'],
    );
    for (const c of first) assert.match(c.label, /over the last minute, now \d/);

    // A few seconds later the lines have more points and have moved.
    let later: Chart[] = first;
    for (let i = 0; i < 40 && later.every((c, k) => c.points <= (first[k]?.points ?? 0)); i++) {
      await alice.page.waitForTimeout(250);
      later = await charts(alice.page);
    }
    for (const [k, c] of later.entries()) {
      assert.ok(c.points > (first[k]?.points ?? 0), `${c.figure} gained points: ${first[k]?.points} -> ${c.points}`);
      assert.notEqual(c.line, first[k]?.line, `${c.figure}'s line changed`);
    }
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});
