// The SFT stage in headless Chromium on real WebGPU (SwiftShader without a GPU, so everything is tiny):
// pretrain a 1-layer base for a few steps in the Pretrain tab, open the SFT tab, check the masked example
// (answer tokens trained, question tokens not), edit a pair in the table, fine-tune for a few steps in the
// engine worker, find the new 'sft' checkpoint in the list, and ask it a question. One page, one worker:
// the pipelines SwiftShader compiled for pretraining serve fine-tuning too.
// A failing test leaves a screenshot in test-results/.
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser, watchPage } from './watch-page.ts';

const browser = useBrowser();
const baseUrl = inject('baseUrl');

const status = (page: Page, testid: string, want: string, timeout: number) =>
  page.waitForFunction(
    ([id, s]) => document.querySelector(`[data-testid=${id}]`)?.getAttribute('data-status') === s,
    [testid, want] as const,
    { timeout },
  );

/** A base model: the tiny facts corpus, char tokenizer, 1 layer, a few steps. */
async function pretrainBase(page: Page): Promise<void> {
  await page.getByTestId('corpus-stats').waitFor({ timeout: 60_000 });
  await page.getByTestId('build-tokenizer').click();
  await page.getByTestId('tokenizer-summary').waitFor({ timeout: 60_000 });
  const fields: Record<string, number> = { layers: 1, heads: 2, channels: 32, context: 64, batch: 4, steps: 6, lr: 0.01, warmup: 2, evalEvery: 6 };
  for (const [k, v] of Object.entries(fields)) await page.getByTestId(`field-${k}`).fill(String(v));
  await page.getByTestId('sample-every').fill('0');
  await page.getByTestId('autosave-every').fill('0');
  await page.getByTestId('run-name').fill('e2e base');
  await page.getByTestId('start').click();
  await status(page, 'run-status', 'done', 100_000);
}

describe('sft stage', () => {
  it('shows the masked example, edits a pair, fine-tunes a stored base into an sft checkpoint and answers', async (ctx) => {
    const context = await browser().newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    watchPage(ctx, context, page);
    await page.goto(new URL('?debug#pretrain', baseUrl).href);
    await pretrainBase(page);

    await page.getByRole('tab', { name: 'SFT' }).click();
    const panel = page.getByTestId('sft-panel');
    await panel.waitFor({ timeout: 10_000 });
    // The new base is picked; its tokenizer drives the format and mask views.
    await page.getByTestId('sft-base-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('sft-base-summary').textContent()).toContain('e2e base');
    await expect(page.getByTestId('sft-template').textContent()).resolves.toContain('<|user|>');

    // The first training pair, token by token: the opening <|user|> and the question are context (weight
    // 0); the answer and the closing <|end|> are trained (weight 1), and nothing after a trained token is
    // context again in a one-turn pair.
    const tokens = page.getByTestId('sft-mask-tokens').locator('button');
    const weights = (await tokens.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-weight'))))) as number[];
    const pieces = await tokens.allTextContents();
    expect(pieces[0]).toBe('<|user|>');
    expect(weights[0]).toBe(0);
    expect(pieces[pieces.length - 1]).toBe('<|end|>');
    expect(weights[weights.length - 1]).toBe(1);
    const firstTrained = weights.indexOf(1);
    expect(pieces[firstTrained - 1]).toBe('<|assistant|>');
    expect(weights.slice(firstTrained).every((w) => w === 1)).toBe(true);
    expect(weights.slice(0, firstTrained).every((w) => w === 0)).toBe(true);
    const counts = page.getByTestId('sft-mask-counts');
    await expect(counts.getAttribute('data-trained')).resolves.toBe(String(weights.length - firstTrained));

    // Edit a pair: find it, change its answer, save; the table shows the new text and marks the data edited.
    await page.getByTestId('sft-search').fill('capital of China');
    const row = page.getByTestId('sft-row').first();
    await row.getByTestId('sft-edit').click();
    await page.getByTestId('sft-edit-answer').fill('Beijing is the capital of China.');
    await page.getByTestId('sft-save').click();
    await expect(page.getByTestId('sft-row').first().getByTestId('sft-row-answer').textContent()).resolves.toBe('Beijing is the capital of China.');
    await expect(page.getByTestId('sft-data-counts').textContent()).resolves.toContain('edited');
    // Paging: the whole data set is more than one page.
    await page.getByTestId('sft-search').fill('');
    await expect(page.getByTestId('sft-page').textContent()).resolves.toMatch(/Page 1 of \d+/);
    expect(await page.getByTestId('sft-row').count()).toBe(25);

    // Import JSONL: good lines are added, bad ones reported with their line numbers; nothing else changes.
    const good = JSON.stringify({ messages: [{ role: 'user', content: 'Who made you?' }, { role: 'assistant', content: 'A browser.' }] });
    const bad = JSON.stringify({ messages: [{ role: 'robot', content: 'beep' }] });
    const trainBefore = Number(await page.getByTestId('sft-data-counts').getAttribute('data-train'));
    await page.getByTestId('sft-import').setInputFiles({ name: 'mine.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(`${good}\n${bad}\n{oops\n`) });
    const report = page.getByTestId('sft-import-report');
    await report.waitFor({ timeout: 10_000 });
    await expect(report.getAttribute('data-added')).resolves.toBe('1');
    const errors = await page.getByTestId('sft-import-errors').locator('li').allTextContents();
    expect(errors[0]).toMatch(/^line 2: .*unknown role "robot"/);
    expect(errors[1]).toMatch(/^line 3: not valid JSON/);
    await expect(page.getByTestId('sft-data-counts').getAttribute('data-train')).resolves.toBe(String(trainBefore + 1));

    // Fine-tune for a few steps, with one held-out and one trained question asked before and after.
    const form: Record<string, number> = { steps: 4, batch: 4, lr: 0.003, warmup: 1, evalEvery: 2, autosaveEvery: 0, probe: 1, maxAnswerTokens: 6 };
    for (const [k, v] of Object.entries(form)) await page.getByTestId(`sft-field-${k}`).fill(String(v));
    await page.getByTestId('sft-run-name').fill('e2e sft');
    await page.getByTestId('sft-start').click();
    await status(page, 'sft-run-status', 'done', 110_000);
    await expect(page.getByTestId('sft-run-message').textContent()).resolves.toContain('Finished after 4 steps');
    for (const id of ['sft-chart-loss', 'sft-chart-lr', 'sft-chart-grad', 'sft-chart-tps']) {
      await expect(page.getByTestId(id).locator('svg title').count()).resolves.toBe(1);
    }
    const val = await page.getByTestId('sft-eval-val').locator('td').allTextContents();
    expect(val.every((v) => v !== '–')).toBe(true); // held-out loss before and after
    await expect(page.getByTestId('sft-examples').locator('li').count()).resolves.toBe(2);

    // The new checkpoint is listed with stage sft.
    const sftRow = page.getByTestId('sft-ckpt-row').filter({ hasText: 'e2e sft' });
    await expect(sftRow.count()).resolves.toBe(1);
    await expect(sftRow.getAttribute('data-stage')).resolves.toBe('sft');

    // Ask it (and the base, for contrast): the answers stream in and end.
    await page.getByTestId('sft-question').fill('What is the capital of China?');
    await page.getByTestId('sft-ask-max').fill('8');
    await page.getByTestId('sft-ask').click();
    // Both answers stream in one after the other; done when the Stop button is gone and neither is busy.
    await page.waitForFunction(
      () =>
        !document.querySelector('[data-testid=sft-ask-stop]') &&
        document.querySelector('[data-testid=sft-answer]')?.getAttribute('data-busy') === 'false' &&
        document.querySelector('[data-testid=sft-base-answer]')?.getAttribute('data-busy') === 'false',
      null,
      { timeout: 60_000 },
    );
    // Any text counts (a model this small mostly writes spaces).
    for (const id of ['sft-answer', 'sft-base-answer']) expect(Number(await page.getByTestId(id).getAttribute('data-length')), id).toBeGreaterThan(0);
  }, 240_000); // ~75–100 s on two busy cores: most of it SwiftShader compiling the pipelines once
});
