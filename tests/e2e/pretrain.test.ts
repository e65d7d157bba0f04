// The Pretrain stage in headless Chromium on real WebGPU (SwiftShader without a GPU, so the model is tiny):
// pick the built-in facts corpus, build the char tokenizer, train a 1-layer model for 30 steps in the
// engine worker; the loss falls, samples appear, the checkpoint is stored. A second run is stopped after
// its first autosave and resumed to the end; both checkpoints are still listed after a reload. (One test,
// one page: SwiftShader spends ~30 s compiling the training pipelines in each new worker.)
// A failing test leaves a screenshot in test-results/.
import { describe, expect, inject, it, type TestContext } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser, watchPage } from './watch-page.ts';

const browser = useBrowser();
const baseUrl = inject('baseUrl');

/** A fresh context (own storage) and page; screenshots on failure; fails the test on any page error. */
async function openPage(ctx: TestContext): Promise<{ page: Page }> {
  const context = await browser().newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  watchPage(ctx, context, page);
  await page.goto(new URL('?debug#pretrain', baseUrl).href);
  return { page };
}

/** The tiny facts corpus with the char tokenizer, and a model small enough for a software GPU. */
async function setUp(page: Page, steps: number): Promise<void> {
  const stats = page.getByTestId('corpus-stats');
  await stats.waitFor({ timeout: 60_000 });
  expect(await stats.textContent()).toContain('Facts world');
  await expect(page.getByTestId('facts-size').inputValue()).resolves.toBe('tiny');
  await page.getByTestId('build-tokenizer').click();
  await page.getByTestId('tokenizer-summary').waitFor({ timeout: 60_000 });
  expect(Number((await page.getByTestId('corpus-tokens').textContent())?.replace(/\D/g, ''))).toBeGreaterThan(100_000);
  // The token view splits the corpus's first lines into tokens, each with its id.
  expect(await page.getByTestId('token-list').locator('button[data-id]').count()).toBeGreaterThan(50);

  await page.locator('input[name=preset][value=tiny]').check();
  const fields: Record<string, number> = { layers: 1, heads: 2, channels: 32, context: 32, batch: 4, steps, lr: 0.01, warmup: 5, evalEvery: 10 };
  for (const [k, v] of Object.entries(fields)) await page.getByTestId(`field-${k}`).fill(String(v));
  await expect(page.locator('input[name=preset][value=custom]').isChecked()).resolves.toBe(true);
  await page.getByTestId('sample-every').fill('10');
  await page.getByTestId('autosave-every').fill('10');
  await page.getByTestId('sample-tokens').fill('40');
  await expect(page.getByTestId('config-problems').count()).resolves.toBe(0);
  await expect(page.getByTestId('model-estimate').textContent()).resolves.toMatch(/parameters/);
}

async function waitForStatus(page: Page, want: string, timeout = 100_000): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid=run-status]')?.getAttribute('data-status') === s, want, { timeout });
}

describe('pretrain stage', () => {
  it('trains a tiny model: the loss falls, samples appear, runs stop and resume, checkpoints survive a reload', async (ctx) => {
    const { page } = await openPage(ctx);
    await setUp(page, 30);
    await page.getByTestId('run-name').fill('e2e tiny facts');
    await page.getByTestId('start').click();
    await waitForStatus(page, 'done');

    const summary = page.getByTestId('loss-summary');
    const first = Number(await summary.getAttribute('data-first'));
    const last = Number(await summary.getAttribute('data-last'));
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    // Samples were written at steps 10, 20 and 30, newest first.
    const samples = page.getByTestId('sample');
    await expect(samples.count()).resolves.toBe(3);
    expect((await samples.first().textContent())?.trim().length).toBeGreaterThan(10);
    await expect(page.getByTestId('run-message').textContent()).resolves.toContain('Finished after 30 steps');
    for (const id of ['chart-loss', 'chart-lr', 'chart-grad', 'chart-tps']) {
      await expect(page.getByTestId(id).locator('svg title').count()).resolves.toBe(1);
    }
    const row = page.getByTestId('checkpoint-row').filter({ hasText: 'e2e tiny facts' });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.getAttribute('data-stage')).resolves.toBe('base');
    await expect(row.getAttribute('data-step')).resolves.toBe('30');
    // The finished run's autosaves are gone.
    await expect(page.getByTestId('checkpoint-row').count()).resolves.toBe(1);

    // Sample from it: the worker loads the checkpoint and streams the tokens.
    await row.getByRole('button', { name: 'Sample' }).click();
    await page.getByTestId('gen-prompt').fill('Reku');
    await page.getByTestId('gen-max').fill('20');
    await page.getByTestId('generate').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=gen-status]')?.textContent?.trim() === '20 tokens', null, { timeout: 60_000 });
    const out = (await page.getByTestId('gen-output').textContent()) ?? '';
    expect(out.startsWith('Reku')).toBe(true);
    expect(out.length).toBeGreaterThan('Reku'.length);

    // A second run (same worker, so the GPU pipelines are already compiled): stop it after its first
    // autosave; it is offered for resuming, and resuming continues from its step to the end.
    await page.getByTestId('run-name').fill('e2e resumable');
    await page.getByTestId('field-steps').fill('40');
    await page.getByTestId('start').click();
    await page.getByTestId('last-autosave').waitFor({ timeout: 60_000 });
    await page.getByTestId('stop').click();
    await waitForStatus(page, 'stopped');
    await expect(page.getByTestId('run-message').textContent()).resolves.toMatch(/Stopped at step \d+/);
    const banner = page.getByTestId('interrupted');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toContain('e2e resumable');
    await page.getByTestId('resume-run').click();
    await waitForStatus(page, 'done', 60_000);
    await expect(page.getByTestId('run-message').textContent()).resolves.toContain('Finished after 40 steps');
    // The resumed run shows its whole history: the curve starts at step 1.
    await expect(summary.textContent()).resolves.toMatch(/at step 1 →.*at step 40/);
    await expect(page.getByTestId('interrupted').count()).resolves.toBe(0);

    await page.reload();
    await page.getByTestId('checkpoints').waitFor({ timeout: 60_000 });
    const names = await page.getByTestId('checkpoint-name').allTextContents();
    expect(names.sort()).toEqual(['e2e resumable', 'e2e tiny facts']);
    const again = page.getByTestId('checkpoint-row').filter({ hasText: 'e2e tiny facts' });
    await expect(again.getAttribute('data-step')).resolves.toBe('30');
    await expect(page.getByTestId('checkpoint-row').filter({ hasText: 'e2e resumable' }).getAttribute('data-step')).resolves.toBe('40');

    // Download it as .safetensors, delete it, upload the file again.
    const [download] = await Promise.all([page.waitForEvent('download'), again.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.base\.safetensors$/);
    const file = await download.path();
    await again.getByRole('button', { name: 'Delete' }).click();
    await again.getByRole('button', { name: 'Really delete' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=checkpoint-row]').length === 1);
    await page.getByTestId('ckpt-upload').setInputFiles(file);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=checkpoint-row]').length === 2, null, { timeout: 30_000 });
    await expect(page.getByTestId('checkpoint-row').filter({ hasText: 'e2e tiny facts' }).getAttribute('data-step')).resolves.toBe('30');
  });
});
