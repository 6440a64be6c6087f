// Opens the dialog in a browser context of its own (AxeBuilder needs one made with
// browser.newContext()), records uncaught page errors, and waits until the settings are loaded.
import { expect, type Browser } from '@playwright/test';
import type { MailroomServer } from './fixtures';

export type ColorScheme = 'light' | 'dark';

export async function openDialog(browser: Browser, mailroom: MailroomServer, options: { colorScheme?: ColorScheme; height?: number } = {}) {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: 1280, height: options.height ?? 800 },
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(mailroom.url);
  await expect(page.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
  return { context, page, pageErrors };
}
