// The accessibility check every spec runs: axe-core over the page, with readable failures.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Runs axe over the page and fails with a readable list of what it found. */
export async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    // Fluent's focus-trap sentinels are invisible, focusable-by-design helper elements.
    .exclude('[data-tabster-dummy]')
    .analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
  expect(found, `axe violations on ${what}`).toEqual([]);
  const unjudged = results.incomplete
    .filter((r) => r.id === 'color-contrast')
    .flatMap((r) => r.nodes.map((n) => `${n.target.join(' ')}: ${n.any[0]?.message ?? ''}`));
  expect(unjudged, `text whose contrast axe could not judge on ${what}`).toEqual([]);
  // Guard against scanning an empty page.
  expect(results.passes.length, 'axe ran its checks').toBeGreaterThan(0);
}

/** Makes the window as tall as the page, so axe can judge every text (nothing scrolled away). */
export async function showWholePage(page: Page): Promise<void> {
  // Hover effects (the tab just clicked) draw pseudo-elements axe cannot see through.
  await page.mouse.move(1, 1);
  const needed = await page.evaluate(() => {
    const scroller = document.querySelector('main > div:last-child');
    return document.documentElement.clientHeight + (scroller ? scroller.scrollHeight - scroller.clientHeight : 0);
  });
  await page.setViewportSize({ width: 1280, height: Math.max(800, Math.ceil(needed) + 16) });
}
