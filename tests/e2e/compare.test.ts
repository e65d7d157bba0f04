// The Compare stage in headless Chromium on real WebGPU (SwiftShader without a GPU, so the models are tiny):
// three checkpoints made here in Node with the checkpoint writer (base, SFT, RLHF; the RLHF one with another
// tokenizer) are uploaded, put side by side and sent one prompt. Every column shows text; the same seed gives
// the same text again; a token's popover lists sorted candidates whose probabilities sum to ≤ 1; one column
// is scored under another (and not under the one with the other tokenizer, which says why); the attention
// map is drawn; a long run is cancelled midway; a checkpoint deleted while shown gets a message in its column.
// One test, one page: SwiftShader compiles the pipelines once per worker. A failing test leaves a screenshot
// in test-results/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeCheckpoint, type Stage } from '../../src/model/checkpoint/index.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { Rng } from '../../src/model/reference/random.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { useBrowser, watchPage } from './watch-page.ts';

const browser = useBrowser();
const baseUrl = inject('baseUrl');

/** A random tiny GPT with a char tokenizer over `text`, as a .safetensors file. */
function makeFile(dir: string, name: string, stage: Stage, text: string, seed: number): string {
  const tok = buildCharTokenizer(text);
  const config: GptConfig = { vocabSize: tok.vocabSize, contextLength: 32, layers: 1, heads: 2, channels: 16 };
  const params = initParams(config, seed);
  // Bigger token embeddings than GPT-2's init, so each random model has its own peaked preferences.
  const rng = new Rng(seed);
  params.get('transformer.wte.weight')!.set(rng.normals(tok.vocabSize * 16, 0.25));
  const bytes = writeCheckpoint({ config, params, meta: { stage, name, createdAt: new Date().toISOString(), lineage: [], tokenizer: tok.toJSON(), history: null } });
  const path = join(dir, `${name.replace(/\W+/g, '-')}.${stage}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

async function upload(page: Page, file: string, count: number): Promise<void> {
  await page.getByTestId('ckpt-upload').setInputFiles(file);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=checkpoint-row]').length === n, count, { timeout: 30_000 });
}

/** Waits until no column is waiting or writing and the Generate button is back. */
async function waitForRun(page: Page, timeout = 100_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const cols = [...document.querySelectorAll('[data-testid=compare-column]')];
      const button = document.querySelector<HTMLButtonElement>('[data-testid=compare-generate]');
      return cols.length > 0 && cols.every((c) => !['waiting', 'running'].includes(c.getAttribute('data-status') ?? '')) && !!button && !button.disabled;
    },
    null,
    { timeout },
  );
}

const columnTokens = (page: Page) =>
  page.getByTestId('compare-column').evaluateAll((cols) => cols.map((c) => [...c.querySelectorAll('[data-testid=compare-token]')].map((t) => t.textContent ?? '').join('')));

describe('compare stage', () => {
  it('puts three checkpoints side by side, token by token', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'compare-e2e-'));
    const text = 'The sky is blue. A banana is yellow. What is the capital of China? Beijing.\n';
    const files = [
      makeFile(dir, 'e2e base', 'base', text, 11),
      makeFile(dir, 'e2e sft', 'sft', text, 12),
      makeFile(dir, 'e2e rlhf', 'rlhf', `${text}0123456789`, 13), // another tokenizer
    ];

    const context = await browser().newContext({ locale: 'en-US', viewport: { width: 1300, height: 1000 } });
    const page = await context.newPage();
    watchPage(ctx, context, page);
    await page.goto(new URL('?debug#pretrain', baseUrl).href);
    await page.getByTestId('ckpt-upload').waitFor({ state: 'attached', timeout: 60_000 });
    for (let i = 0; i < files.length; i++) await upload(page, files[i], i + 1);

    await page.getByRole('tab', { name: 'Compare' }).click();
    const panel = page.getByTestId('compare-panel');
    await panel.waitFor();
    const setups = page.getByTestId('compare-setup');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=compare-setup]').length === 3, null, { timeout: 10_000 });
    await expect(page.getByTestId('compare-stage').allTextContents()).resolves.toEqual(['base', 'SFT', 'RLHF']);
    // The chat template starts off for the base model, on for the tuned ones.
    await expect(setups.getByTestId('compare-chat').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).checked))).resolves.toEqual([false, true, true]);

    await page.getByTestId('compare-prompt').fill('The sky is');
    await page.getByTestId('compare-max').fill('12');
    await page.getByTestId('compare-seed').fill('4242');
    await page.getByTestId('compare-stop-at-end').uncheck();
    await page.getByTestId('compare-generate').click();
    await waitForRun(page);

    const cols = page.getByTestId('compare-column');
    await expect(cols.count()).resolves.toBe(3);
    await expect(cols.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-status')))).resolves.toEqual(['max', 'max', 'max']);
    await expect(cols.evaluateAll((cs) => cs.map((c) => c.querySelectorAll('[data-testid=compare-token]').length))).resolves.toEqual([12, 12, 12]);
    const first = await columnTokens(page);
    for (const s of first) expect(s.length).toBeGreaterThan(0);
    await expect(page.getByTestId('compare-mixed-tokenizers').count()).resolves.toBe(1);

    // The same seed gives the same text again.
    await page.getByTestId('compare-generate').click();
    await waitForRun(page);
    await expect(columnTokens(page)).resolves.toEqual(first);

    // A token's popover: ten candidates, sorted, probabilities summing to at most 1.
    const token = cols.nth(1).getByTestId('compare-token').nth(2);
    await token.hover();
    const popover = cols.nth(1).getByTestId('compare-popover');
    await popover.waitFor();
    const ps = (await popover.getByTestId('compare-candidate').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-p'))))) as number[];
    expect(ps).toHaveLength(10);
    for (let i = 1; i < ps.length; i++) expect(ps[i]).toBeLessThanOrEqual(ps[i - 1]);
    expect(ps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(ps.every((p) => p > 0)).toBe(true);
    // The token's own probability is among the candidates' or below the tenth.
    const own = Number(await token.getAttribute('data-p'));
    expect(own).toBeGreaterThan(0);
    expect(ps.some((p) => Math.abs(p - own) < 1e-6) || own <= ps[9] + 1e-9).toBe(true);

    // Keyboard focus opens the popover too, in that token's column.
    await cols.nth(0).getByTestId('compare-token').first().focus();
    await cols.nth(0).getByTestId('compare-popover').waitFor();
    await expect(cols.nth(0).getByTestId('compare-candidate').count()).resolves.toBe(10);

    // Column B (SFT) scored under A (base): same tokenizer. C (other tokenizer) cannot be chosen, and says why.
    const select = cols.nth(1).getByTestId('compare-diff-select');
    await expect(select.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).disabled, o.textContent]))).resolves.toEqual([
      [false, 'their probability under this model'],
      [false, 'how much more likely they are under A'],
      [true, 'how much more likely they are under C — different tokenizer, so the same tokens mean different text'],
    ]);
    await select.selectOption({ label: 'how much more likely they are under A' });
    await page.waitForFunction(() => {
      const col = document.querySelectorAll('[data-testid=compare-column]')[1];
      const ts = [...col.querySelectorAll('[data-testid=compare-token]')];
      return ts.length === 12 && ts.every((t) => t.getAttribute('data-diff') !== null && t.getAttribute('data-diff') !== '');
    }, null, { timeout: 30_000 });
    await expect(cols.nth(1).getByTestId('compare-legend').textContent()).resolves.toContain('more likely under A');

    // The attention map of column A, layer 1, head 2: prompt + 12 tokens.
    await page.getByTestId('compare-heat-head').selectOption('1');
    await page.getByTestId('compare-heat-show').click();
    const map = page.getByTestId('compare-heatmap');
    await map.waitFor({ timeout: 30_000 });
    await expect(map.getAttribute('data-t')).resolves.toBe(String('The sky is'.length + 12));
    await expect(page.getByTestId('compare-heat-table').locator('tbody tr').count()).resolves.toBe('The sky is'.length + 12);

    // Cancel midway.
    await page.getByTestId('compare-max').fill('400');
    await page.getByTestId('compare-generate').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=compare-token]').length >= 6, null, { timeout: 60_000 });
    await page.getByTestId('compare-cancel').click();
    await waitForRun(page, 30_000);
    await expect(cols.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-status')))).resolves.toEqual(['stopped', 'stopped', 'stopped']);
    const counts = await cols.evaluateAll((cs) => cs.map((c) => c.querySelectorAll('[data-testid=compare-token]').length));
    expect(Math.max(...counts)).toBeLessThan(400);

    // Delete the RLHF checkpoint while it is shown: its column says so; Generate waits for another pick.
    await page.getByRole('tab', { name: 'Pretrain' }).click();
    const row = page.getByTestId('checkpoint-row').filter({ hasText: 'e2e rlhf' });
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Really delete' }).click();
    await page.getByRole('tab', { name: 'Compare' }).click();
    await cols.nth(2).getByTestId('compare-deleted').waitFor({ timeout: 10_000 });
    await expect(cols.nth(2).getByTestId('compare-deleted').textContent()).resolves.toContain('“e2e rlhf” has been deleted');
    await expect(page.getByTestId('compare-generate').isDisabled()).resolves.toBe(true);
    await expect(cols.nth(2).getByTestId('compare-token').count()).resolves.toBeGreaterThan(0); // its text stays

    // The whole panel in 简体中文.
    await page.getByRole('button', { name: '简体中文' }).click();
    await expect(page.getByTestId('compare-generate').textContent()).resolves.toBe('所有列同时生成');
    await expect(cols.nth(2).getByTestId('compare-deleted').textContent()).resolves.toContain('已从存储中删除');
    await expect(page.getByTestId('compare-stage').first().textContent()).resolves.not.toBe('base');
  });
});
