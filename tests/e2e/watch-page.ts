// Shared by the e2e files: one Chromium per test file; any page error or console.error fails the test, and
// a failed test leaves a full-page screenshot in test-results/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, type TestContext } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';

/** The file's Chromium: launched before its tests, closed after them. Call at the top level of the file. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not launched yet (useBrowser() runs in beforeAll)');
    return browser;
  };
}

export function watchPage(ctx: TestContext, context: BrowserContext, page: Page): void {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  ctx.onTestFinished(async () => {
    try {
      if (ctx.task.result?.state === 'fail') {
        mkdirSync('test-results', { recursive: true });
        const name = ctx.task.name.replace(/[^\w-]+/g, '-').slice(0, 80);
        await page.screenshot({ path: `test-results/e2e-${name}.png`, fullPage: true }).catch((e: Error) => {
          console.error(`screenshot failed: ${e.message}`);
        });
      } else {
        expect(errors, 'errors on the page').toEqual([]);
      }
    } finally {
      await context.close();
    }
  });
}
