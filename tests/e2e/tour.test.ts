// The guided tour in headless Chromium on real WebGPU (SwiftShader without a GPU), with the tests' tiny
// preset (?tour=test): one button runs pretraining, SFT, the reward model and PPO in the engine worker,
// each step turns 'done' with its key number, and the page lands in the Compare tab with base, SFT and
// RLHF side by side — base without the chat template, SFT and RLHF with it — answering a held-out
// question, every column with text. A failing test leaves a screenshot in test-results/.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser, watchPage } from './watch-page.ts';

const browser = useBrowser();
const baseUrl = inject('baseUrl');

const STAGES = ['pretrain', 'sft', 'reward', 'ppo'] as const;

describe('guided tour', () => {
  it('runs every stage from one button and lands in Compare with base, SFT and RLHF', { timeout: 300_000 }, async (ctx) => {
    const context = await browser().newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    watchPage(ctx, context, page);
    await page.goto(new URL('?tour=test#pretrain', baseUrl).href);

    const button = page.getByTestId('tour-start');
    await button.waitFor({ timeout: 60_000 });
    await expect(button.textContent()).resolves.toContain('Guided tour');
    await button.click();
    await page.getByTestId('tour-body').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('tour-cancel').isVisible()).resolves.toBe(true);
    await page.getByTestId('tour-preset').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('tour-preset').textContent()).resolves.toContain('tour-test');

    // Each stage becomes the current step (highlighted), then done with its key number.
    for (const s of STAGES) {
      const step = page.getByTestId(`tour-step-${s}`);
      await page.waitForFunction((id) => document.querySelector(`[data-testid=${id}]`)?.getAttribute('data-status') === 'done', `tour-step-${s}`, { timeout: 200_000 });
      await expect(step.getAttribute('aria-current')).resolves.toBeNull();
      await expect(page.getByTestId(`tour-result-${s}`).textContent()).resolves.toMatch(/\d/);
    }
    await expect(page.getByTestId('tour-result-sft').textContent()).resolves.toMatch(/base \d+% → SFT \d+%/);

    // The tour hands over to Compare: three columns, base without the chat template.
    await page.getByRole('tab', { name: 'Compare', selected: true }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=compare-setup]').length === 3, null, { timeout: 30_000 });
    await expect(page.getByTestId('compare-stage').allTextContents()).resolves.toEqual(['base', 'SFT', 'RLHF']);
    await expect(page.getByTestId('compare-chat').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).checked))).resolves.toEqual([false, true, true]);
    const question = await page.getByTestId('compare-prompt').inputValue();
    expect(question).toMatch(/\?$/);
    await expect(page.getByTestId('tour-message').textContent()).resolves.toContain(question);

    // It generates by itself; every column ends with text.
    await page.waitForFunction(
      () => {
        const cols = [...document.querySelectorAll('[data-testid=compare-column]')];
        return cols.length === 3 && cols.every((c) => !['waiting', 'running'].includes(c.getAttribute('data-status') ?? ''));
      },
      null,
      { timeout: 90_000 },
    );
    const cols = page.getByTestId('compare-column');
    await expect(cols.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-status')))).resolves.not.toContain('error');
    const texts = await cols.evaluateAll((cs) => cs.map((c) => [...c.querySelectorAll('[data-testid=compare-token]')].map((t) => t.textContent ?? '').join('')));
    expect(texts).toHaveLength(3);
    for (const t of texts) expect(t.length).toBeGreaterThan(0);
  });

  it('cancels between steps and keeps the stages already stored', { timeout: 200_000 }, async (ctx) => {
    const context = await browser().newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    watchPage(ctx, context, page);
    await page.goto(new URL('?tour=test#pretrain', baseUrl).href);
    await page.getByTestId('tour-start').click();
    // Cancel during SFT: the base model is stored by then, the SFT model is not.
    await page.waitForFunction(() => document.querySelector('[data-testid=tour-step-sft]')?.getAttribute('data-status') === 'running', null, { timeout: 150_000 });
    await page.getByTestId('tour-cancel').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=tour-body]')?.getAttribute('data-status') === 'stopped', null, { timeout: 60_000 });
    await expect(page.getByTestId('tour-step-pretrain').getAttribute('data-status')).resolves.toBe('done');
    await expect(page.getByTestId('tour-step-sft').getAttribute('data-status')).resolves.toBe('stopped');
    await expect(page.getByTestId('tour-message').textContent()).resolves.toContain('Cancelled');
    await expect(page.getByTestId('tour-start').isEnabled()).resolves.toBe(true);
    // Still on the Pretrain tab, whose list shows the stored base model (and nothing of the later stages).
    await expect(page.getByRole('tab', { name: 'Pretrain', selected: true }).count()).resolves.toBe(1);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=checkpoint-row]').length === 1, null, { timeout: 30_000 });
    await expect(page.getByTestId('checkpoint-row').getAttribute('data-stage')).resolves.toBe('base');
    await expect(page.getByTestId('checkpoint-name').textContent()).resolves.toBe('tour-test-base');
  });
});
