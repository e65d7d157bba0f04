// The RLHF stage in headless Chromium on real WebGPU (SwiftShader without a GPU, so the model is tiny and
// untrained: its answers are noise, but every step of the loop runs for real). A tiny 'sft' checkpoint is
// written here in Node with the checkpoint writer (char tokenizer covering the facts questions, lineage
// naming the tiny facts world) and uploaded through the Pretrain tab's checkpoint list. Then, in the RLHF
// tab: answers to three prompts are sampled and ranked by clicking (and the keyboard); a JSONL import with
// a malformed line and a line from another tokenizer is refused line by line; a reward model trains a few
// steps (charts, inspector, 'reward' checkpoint); PPO against it runs a few steps (an 'rlhf' checkpoint
// with before/after answers); DPO two steps; the rankings are still there after a reload. One page: the
// worker compiles the training pipelines once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeCheckpoint } from '../../src/model/checkpoint/index.ts';
import { tinySftCheckpoint } from '../rlhf/ui-fixture.ts';
import { useBrowser, watchPage } from './watch-page.ts';

const browser = useBrowser();
const baseUrl = inject('baseUrl');
const dir = mkdtempSync(join(tmpdir(), 'rlhf-e2e-'));

/** The tiny untrained 'sft' checkpoint as a file; returns it and its tokenizer fingerprint. */
function tinySft(): { file: string; fingerprint: string } {
  const { ckpt, fingerprint } = tinySftCheckpoint(Date.now() % 100_000, 'e2e tiny sft');
  const file = join(dir, 'e2e-tiny.sft.safetensors');
  writeFileSync(file, writeCheckpoint(ckpt));
  return { file, fingerprint };
}

async function jobStatus(page: Page, kind: string, want: string, timeout: number): Promise<void> {
  const ok = await page
    .waitForFunction(
      ([k, s]) => {
        const el = document.querySelector(`[data-testid=rlhf-job-${k}]`);
        const status = el?.getAttribute('data-status');
        if (status === 'failed' || status === 'diverged') return `${status}: ${el?.textContent}`;
        return status === s;
      },
      [kind, want],
      { timeout },
    )
    .then((h) => h.jsonValue());
  expect(ok).toBe(true);
}

/** Samples K answers to prompt number `i` of the list and ranks them 1st… by clicking. */
async function rankPrompt(page: Page, i: number, k: number, useKeyboard: boolean): Promise<void> {
  await page.getByTestId('rlhf-prompt').selectOption(String(i));
  await page.getByTestId('rlhf-sample').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=rlhf-answer]').length === n, k, { timeout: 90_000 });
  const order = [...Array(k).keys()].reverse(); // the last answer best, to show the order is the person's
  for (let place = 1; place <= k; place++) {
    const button = page.getByTestId(`rlhf-place-${order[place - 1]}-${place}`);
    if (useKeyboard) {
      await button.focus();
      await page.keyboard.press('Enter');
    } else {
      await button.click();
    }
  }
  await expect(page.getByTestId('rlhf-save-ranking').isEnabled()).resolves.toBe(true);
  await page.getByTestId('rlhf-save-ranking').click();
  await page.getByTestId('rlhf-collect-note').waitFor();
}

describe('rlhf stage', () => {
  it('collects rankings, trains a reward model, runs PPO and DPO, keeps the rankings', async (ctx) => {
    const { file, fingerprint } = tinySft();
    const context = await browser().newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    watchPage(ctx, context, page);
    await page.goto(new URL('?debug#rlhf', baseUrl).href);
    await page.getByTestId('rlhf-panel').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('rlhf-no-model').count()).resolves.toBe(1);

    // The checkpoint list of the Pretrain tab (hidden, but mounted) stores the uploaded SFT model.
    await page.getByTestId('ckpt-upload').setInputFiles(file);
    const info = page.getByTestId('rlhf-model-info');
    await info.waitFor({ timeout: 60_000 });
    await expect(info.getAttribute('data-fingerprint')).resolves.toBe(fingerprint);

    // Three prompts × 3 answers ranked by clicking (the second one with the keyboard).
    await page.getByTestId('rlhf-k').fill('3');
    await page.getByTestId('rlhf-max-tokens').fill('8');
    for (let i = 0; i < 3; i++) await rankPrompt(page, i, 3, i === 1);
    const summary = page.getByTestId('rlhf-prefs-summary');
    await expect(summary.getAttribute('data-count')).resolves.toBe('3');
    await expect(page.getByTestId('rlhf-ranking-row').count()).resolves.toBe(3);

    // Ties: switched on, two answers can share a place; switching off breaks the tie.
    await page.getByTestId('rlhf-prompt').selectOption('3');
    await page.getByTestId('rlhf-sample').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=rlhf-answer]').length === 3, null, { timeout: 60_000 });
    await page.getByTestId('rlhf-ties').check();
    for (const a of [0, 1, 2]) await page.getByTestId(`rlhf-place-${a}-1`).click();
    await expect(page.getByTestId('rlhf-rank-issue').textContent()).resolves.toContain('same place');
    await page.getByTestId('rlhf-ties').uncheck();
    await expect(page.locator('[data-testid=rlhf-answer][data-place="1"]').count()).resolves.toBe(1);

    // Import: one good pair, one malformed line, one line from another tokenizer.
    const jsonl = [
      JSON.stringify({ prompt: 'Who are you?', chosen: 'A small model.', rejected: 'zzz', tokenizer: fingerprint }),
      '{"prompt": "broken",',
      JSON.stringify({ prompt: 'Hi', chosen: 'Hello.', rejected: 'hm', tokenizer: 'char-00000000' }),
    ].join('\n');
    const prefsFile = join(dir, 'prefs.jsonl');
    writeFileSync(prefsFile, jsonl);
    await page.getByTestId('rlhf-import').setInputFiles(prefsFile);
    const report = page.getByTestId('rlhf-import-report');
    await report.waitFor();
    await expect(report.getAttribute('data-added')).resolves.toBe('1');
    await expect(report.getAttribute('data-errors')).resolves.toBe('2');
    const reportText = (await report.textContent()) ?? '';
    expect(reportText).toContain('line 2: not valid JSON');
    expect(reportText).toMatch(/line 3: made with another tokenizer/);
    await expect(summary.getAttribute('data-count')).resolves.toBe('4');

    // The simulated labeler ranks 2 prompts × 3 answers; its rankings join the stored ones.
    await page.getByTestId('rlhf-labeler').selectOption('terse');
    await expect(page.getByTestId('rlhf-labeler-rules').textContent()).resolves.toMatch(/rambling\s*-3/);
    await page.getByTestId('rlhf-label-n').fill('2');
    await page.getByTestId('rlhf-label-k').fill('3');
    await page.getByTestId('rlhf-label-start').click();
    await jobStatus(page, 'label', 'done', 120_000);
    await expect(page.getByTestId('rlhf-labeled').getAttribute('data-count')).resolves.toBe('2');
    await expect(page.getByTestId('rlhf-labeled').locator('tbody tr').count()).resolves.toBe(6);
    await expect(summary.getAttribute('data-count')).resolves.toBe('6');
    await expect(page.locator('[data-testid=rlhf-ranking-row][data-source="labeler:terse"]').count()).resolves.toBe(2);

    // The reward model: a few steps on the pairs of 6 rankings (+ the imported one).
    await page.getByTestId('rlhf-rm-name').fill('e2e rm');
    await page.getByTestId('rlhf-rm-steps').fill('4');
    await page.getByTestId('rlhf-rm-pairs').fill('4');
    await page.getByTestId('rlhf-rm-eval-every').fill('2');
    // the full score (head + likelihood + length) by default; head only is the reward-hacking experiment's
    await expect(page.getByRole('checkbox', { name: /Head only/ }).isChecked()).resolves.toBe(false);
    await page.getByTestId('rlhf-rm-start').click();
    await jobStatus(page, 'rm', 'done', 240_000);
    await expect(page.getByTestId('rlhf-chart-rm-loss').locator('svg title').count()).resolves.toBe(1);
    await expect(page.getByTestId('rlhf-job-message-rm').textContent()).resolves.toContain('Finished after 4 steps');
    const rmRow = page.locator('[data-testid=rlhf-output-row][data-stage=reward]');
    await rmRow.waitFor({ timeout: 30_000 });
    await expect(rmRow.textContent()).resolves.toContain('e2e rm');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=rlhf-inspect-row]').length >= 9, null, { timeout: 60_000 });
    // each score is explained by its three terms, and the learned α and λ are shown
    await expect(page.getByTestId('rlhf-inspect-parts').first().textContent()).resolves.toMatch(/head [+-][\d.e+-]+ · likelihood [+-][\d.e+-]+ · length [+-][\d.e+-]+/);
    await expect(page.getByTestId('rlhf-inspect-scale').textContent()).resolves.toMatch(/α = [\d.e+-]+, λ = [+-][\d.e+-]+ per token/);

    // PPO against the reward model.
    await page.getByTestId('rlhf-ppo-reward').selectOption({ label: 'reward model: e2e rm' });
    await page.getByTestId('rlhf-ppo-name').fill('e2e ppo');
    await page.getByTestId('rlhf-ppo-steps').fill('2');
    await page.getByTestId('rlhf-ppo-batch').fill('2');
    await page.getByTestId('rlhf-ppo-tokens').fill('6');
    await page.getByTestId('rlhf-ppo-start').click();
    await jobStatus(page, 'ppo', 'done', 300_000);
    const ppoRow = page.locator('[data-testid=rlhf-output-row][data-stage=rlhf]');
    await ppoRow.waitFor({ timeout: 30_000 });
    await expect(ppoRow.getAttribute('data-step')).resolves.toBe('2');
    await expect(ppoRow.textContent()).resolves.toMatch(/Lineage:.*base.*sft.*rlhf/);
    await expect(page.getByTestId('rlhf-ppo-example').count()).resolves.toBe(3);
    for (const id of ['rlhf-chart-ppo-reward', 'rlhf-chart-ppo-judge', 'rlhf-chart-ppo-kl', 'rlhf-chart-ppo-entropy', 'rlhf-chart-ppo-value', 'rlhf-chart-ppo-scatter']) {
      await expect(page.getByTestId(id).locator('svg title').count()).resolves.toBe(1);
    }

    // DPO on the same pairs.
    await page.getByTestId('rlhf-dpo-steps').fill('2');
    await page.getByTestId('rlhf-dpo-nll').fill('1');
    await page.getByTestId('rlhf-dpo-name').fill('e2e dpo');
    await page.getByTestId('rlhf-dpo-start').click();
    await jobStatus(page, 'dpo', 'done', 240_000);
    await page.locator('[data-testid=rlhf-output-row][data-stage=dpo]').waitFor({ timeout: 30_000 });

    // E2E_SHOTS=1 keeps a picture of each section for a look at the layout.
    if (process.env.E2E_SHOTS) {
      for (const id of ['model', 'collect', 'label', 'rm', 'ppo', 'dpo', 'out']) {
        await page.locator(`section[aria-labelledby=rlhf-${id}-h]`).screenshot({ path: `test-results/rlhf-${id}.png` });
      }
    }

    // The rankings are stored in the browser: still there after a reload.
    await page.reload();
    await page.getByTestId('rlhf-prefs-summary').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('rlhf-prefs-summary').getAttribute('data-count')).resolves.toBe('6');
  }, 900_000);
});
