// The accessibility check every spec runs: axe-core over the page, with readable failures.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

// The rules whose verdict depends on colours: all that can change between the light and dark themes.
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * Runs axe over the page and fails with a readable list of what it found. With `colourOnly`, only
 * the rules that judge colours run (the page's structure was judged in the other theme).
 */
export async function expectNoViolations(page: Page, what: string, options: { colourOnly?: boolean } = {}): Promise<void> {
  let builder = new AxeBuilder({ page })
    // Fluent's focus-trap sentinels are invisible, focusable-by-design helper elements.
    .exclude('[data-tabster-dummy]');
  if (options.colourOnly) builder = builder.withRules(COLOUR_RULES);
  const results = await builder.analyze();
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
export async function expectAccessibleInBothThemes(page: Page, what: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await expectTheme(page, 'light');
  await expectNoViolations(page, `${what} (light)`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectTheme(page, 'dark');
  await expectNoViolations(page, `${what} (dark)`, { colourOnly: true });
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
