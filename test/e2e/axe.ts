// The accessibility check every spec runs: axe-core over the page, with readable failures.
import { createRequire } from 'node:module';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import type { AxeResults, ContextObject, RunOptions } from 'axe-core';

// The rules whose verdict depends on colours: all that can change between the light and dark themes.
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

// The axe-core that @axe-core/playwright itself would inject, whichever copy npm gave it.
const require = createRequire(import.meta.url);
const AXE_SOURCE = (createRequire(require.resolve('@axe-core/playwright'))('axe-core') as { source: string }).source;

// Fluent's focus-trap sentinels are invisible, focusable-by-design helper elements.
const EXCLUDED = '[data-tabster-dummy]';

/**
 * Waits for the animations under way to end: colours fading between themes, a hover just left, a
 * dialog fading in (Fluent's motion uses element.animate). axe is to judge the colours a person
 * ends up with, not those halfway. Only animations that end are awaited (not a spinner's).
 * document.getAnimations() applies pending style changes first, so a transition they start is
 * among those awaited.
 */
async function animationsEnded(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (;;) {
      const running = document
        .getAnimations()
        .filter((a) => a.playState === 'running' && Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
      if (running.length === 0) return;
      await Promise.allSettled(running.map((a) => a.finished));
    }
  });
}

/**
 * axe.run over the page: the same axe-core, context and rules as AxeBuilder, without its costs on a
 * page with no frames. AxeBuilder injects the 500 KB of axe-core again on every run, and runs each
 * frame apart (axe.runPartial) to put the parts together in a new blank page (axe.finishRun): two
 * to four times the time of the run itself. The dialog has no frames, so axe.run judges it all;
 * axe-core is injected once per document and clears its caches after every run. A page that has
 * frames is left to AxeBuilder, which reaches into them.
 */
async function runAxe(page: Page, rules: readonly string[] | null, include?: string): Promise<AxeResults> {
  await animationsEnded(page);
  if (page.frames().length > 1) {
    const builder = new AxeBuilder({ page }).exclude(EXCLUDED);
    if (include) builder.include(include);
    return (rules ? builder.withRules([...rules]) : builder).analyze();
  }
  if (!(await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === 'function'))) await page.evaluate(AXE_SOURCE);
  // The context and options AxeBuilder would pass. Typed loosely across the page boundary:
  // Playwright's check of what can be passed and returned cannot descend axe-core's types.
  const results: unknown = await page.evaluate(
    ({ exclude, rules, include }) => {
      const context: ContextObject = { include: include ? [include] : [], exclude };
      const options: RunOptions = rules ? { runOnly: { type: 'rule', values: rules } } : {};
      return (window as unknown as { axe: { run(c: ContextObject, o: RunOptions): Promise<unknown> } }).axe.run(context, options);
    },
    { exclude: [EXCLUDED], rules: rules ? [...rules] : null, include: include ?? null },
  );
  return results as AxeResults;
}

/**
 * Runs axe over the page and fails with a readable list of what it found. With `colourOnly`, only
 * the rules that judge colours run (the page's structure was judged in the other theme). With
 * `include` (a selector), only that part is judged: a modal dialog, with the page inert behind it.
 */
export async function expectNoViolations(page: Page, what: string, options: { colourOnly?: boolean; include?: string } = {}): Promise<void> {
  const results = await runAxe(page, options.colourOnly ? COLOUR_RULES : null, options.include);
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

/** Waits until the dialog is drawn in the given theme: Fluent's root follows the system setting. */
export async function expectTheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const root = document.querySelector('.fui-FluentProvider') ?? document.body;
          const [r = 0, g = 0, b = 0] = (getComputedStyle(root).backgroundColor.match(/\d+(\.\d+)?/g) ?? []).map(Number);
          return (r + g + b) / 3 < 128 ? 'dark' : 'light';
        }),
      { message: `the ${scheme} theme is applied` },
    )
    .toBe(scheme);
}

/**
 * The full axe check in the light theme, then the colour rules in the dark one, on the same page
 * in the same state (the structure does not change with the theme; only colours do). Leaves the
 * page in the light theme.
 */
export async function expectAccessibleInBothThemes(page: Page, what: string, options: { include?: string } = {}): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await expectTheme(page, 'light');
  await expectNoViolations(page, `${what} (light)`, options);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectTheme(page, 'dark');
  await expectNoViolations(page, `${what} (dark)`, { ...options, colourOnly: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await expectTheme(page, 'light');
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
