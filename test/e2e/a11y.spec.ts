// axe-core over the General tab, clean and with a validation error: every rule in the light theme,
// and the colour rules again in the dark one (see expectAccessibleInBothThemes).
import type { Browser } from '@playwright/test';
import { test, expect, type MailroomServer } from './fixtures';
import { expectAccessibleInBothThemes, expectTheme, showWholePage } from './axe';

async function openGeneralTab(browser: Browser, mailroom: MailroomServer) {
  // AxeBuilder needs a page of a context made with browser.newContext(). The window is then made as
  // tall as the tab, showing every field at once: axe cannot judge the contrast of text that is
  // scrolled out of view or under the footer.
  const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(mailroom.url);
  await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
  await showWholePage(page);
  return { context, page };
}

/** Whether the main heading is drawn in light text (as on a dark background). */
async function headingTextIsLight(browser: Browser, mailroom: MailroomServer, colorScheme: 'light' | 'dark'): Promise<boolean> {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(mailroom.url);
    const heading = page.getByRole('heading', { name: 'Email settings', level: 1 });
    await expect(heading).toBeVisible();
    return await heading.evaluate((el) => {
      const [r = 0, g = 0, b = 0] = (getComputedStyle(el).color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      return (r + g + b) / 3 > 128;
    });
  } finally {
    await context.close();
  }
}

test('the dialog opens in the system colour scheme, and follows it when it changes', async ({ browser, mailroom }) => {
  // Dark text on light, light text on dark, from the first paint.
  expect(await headingTextIsLight(browser, mailroom, 'light'), 'light text in the light theme').toBe(false);
  expect(await headingTextIsLight(browser, mailroom, 'dark'), 'light text in the dark theme').toBe(true);
  // Switching the system setting while the dialog is open switches the dialog.
  const { context, page } = await openGeneralTab(browser, mailroom);
  try {
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectTheme(page, 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expectTheme(page, 'light');
  } finally {
    await context.close();
  }
});

test('the General tab has no axe violations', async ({ browser, mailroom }) => {
  const { context, page } = await openGeneralTab(browser, mailroom);
  try {
    await expectAccessibleInBothThemes(page, 'the General tab');
  } finally {
    await context.close();
  }
});

test('the General tab with a validation error has no axe violations', async ({ browser, mailroom }) => {
  const { context, page } = await openGeneralTab(browser, mailroom);
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
    await expectAccessibleInBothThemes(page, 'the General tab with errors');
  } finally {
    await context.close();
  }
});
