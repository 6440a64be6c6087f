// axe-core over the General tab, in the light and the dark theme, clean and with a validation error.
import type { Browser } from '@playwright/test';
import { test, expect, type MailroomServer } from './fixtures';
import { expectNoViolations } from './axe';

type ColorScheme = 'light' | 'dark';

async function openGeneralTab(browser: Browser, mailroom: MailroomServer, colorScheme: ColorScheme) {
  // AxeBuilder needs a page of a context made with browser.newContext(). The window is tall enough
  // to show every field of the tab at once: axe cannot judge the contrast of text that is scrolled
  // out of view or under the footer.
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 1600 } });
  const page = await context.newPage();
  await page.goto(mailroom.url);
  await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
  return { context, page };
}


for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} colour scheme`, () => {
    test('the General tab has no axe violations', async ({ browser, mailroom }) => {
      const { context, page } = await openGeneralTab(browser, mailroom, colorScheme);
      try {
        // The dialog follows the system colour scheme: light text on dark, or dark text on light.
        const heading = page.getByRole('heading', { name: 'Email settings', level: 1 });
        const textIsLight = await heading.evaluate((el) => {
          const [r = 0, g = 0, b = 0] = (getComputedStyle(el).color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
          return (r + g + b) / 3 > 128;
        });
        expect(textIsLight, `the ${colorScheme} theme is applied`).toBe(colorScheme === 'dark');
        await expectNoViolations(page, `the General tab (${colorScheme})`);
      } finally {
        await context.close();
      }
    });

    test('the General tab with a validation error has no axe violations', async ({ browser, mailroom }) => {
      const { context, page } = await openGeneralTab(browser, mailroom, colorScheme);
      try {
        const alertFrom = page.getByRole('textbox', { name: 'Alert From mailbox' });
        await alertFrom.fill('accounts at example');
        await alertFrom.press('Tab');
        await expect(alertFrom).toHaveAttribute('aria-invalid', 'true');
        await expect(page.getByText('Enter one email address, like accounts@example.com')).toBeVisible();
        // And the refused save: its message bar and the "Required" errors it reveals.
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await expect(page.getByText('Not saved')).toBeVisible();
        await expect(page.getByRole('textbox', { name: 'Organisation name' })).toHaveAttribute('aria-invalid', 'true');
        await expectNoViolations(page, `the General tab with errors (${colorScheme})`);
      } finally {
        await context.close();
      }
    });
  });
}
