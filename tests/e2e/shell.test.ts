// The app shell in headless Chromium on real WebGPU (SwiftShader without a GPU): the engine worker
// reports the adapter, the tabs work from the keyboard, the language toggle switches and is remembered,
// device loss is reported, and a browser without WebGPU gets an explanation instead of a blank page.
// A failing test leaves a screenshot in test-results/.
import { describe, expect, inject, it, type TestContext } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser, watchPage } from './watch-page.ts';

const browser = useBrowser();
const baseUrl = inject('baseUrl');

/** A fresh page (own localStorage); screenshots itself on failure; fails the test on any page error. */
async function openPage(ctx: TestContext, path = '?debug', init?: () => void): Promise<Page> {
  const context = await browser().newContext({ locale: 'en-US' });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  watchPage(ctx, context, page);
  await page.goto(new URL(path, baseUrl).href);
  return page;
}

describe('app shell', () => {
  it('shows the adapter the engine worker opened, and its limits', async (ctx) => {
    const page = await openPage(ctx);
    const adapter = page.getByTestId('adapter');
    await adapter.waitFor({ timeout: 60_000 });
    expect((await adapter.textContent())?.trim()).not.toBe('');
    await expect(page.getByTestId('no-webgpu').count()).resolves.toBe(0);
    await page.getByText('WebGPU is ready in the engine worker').click(); // opens the details
    const limits = page.getByTestId('limits');
    await expect(limits.textContent()).resolves.toContain('maxStorageBufferBindingSize');
    await expect(limits.textContent()).resolves.toMatch(/Largest buffer\s*maxBufferSize\s*[\d.]+ [KMGT]?i?B/);
  });

  it('has keyboard-navigable stage tabs', async (ctx) => {
    const page = await openPage(ctx);
    const tabs = page.getByRole('tab');
    const names = (await tabs.allTextContents()).map((s) => s.trim());
    expect(names).toEqual(['Pretrain', 'SFT', 'RLHF', 'Compare']);
    const selected = () => page.locator('[role=tab][aria-selected=true]').textContent().then((s) => s?.trim());
    await expect(selected()).resolves.toBe('Pretrain');
    await page.getByRole('tab', { name: 'Pretrain' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(selected()).resolves.toBe('SFT');
    await expect(page.locator('#panel-sft').isVisible()).resolves.toBe(true);
    await expect(page.locator('#panel-pretrain').isVisible()).resolves.toBe(false);
    await page.keyboard.press('End');
    await expect(selected()).resolves.toBe('Compare');
    await page.keyboard.press('ArrowRight'); // wraps
    await expect(selected()).resolves.toBe('Pretrain');
    await page.keyboard.press('ArrowLeft');
    await expect(selected()).resolves.toBe('Compare');
    expect(new URL(page.url()).hash).toBe('#compare');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('tab-compare');
  });

  it('switches to 简体中文 and back, and remembers the choice', async (ctx) => {
    const page = await openPage(ctx);
    await page.getByTestId('adapter').waitFor({ timeout: 60_000 });
    const h1 = page.locator('h1');
    await expect(h1.textContent()).resolves.toBe('LLM stages playground');
    await page.getByRole('button', { name: '简体中文' }).click();
    await expect(h1.textContent()).resolves.toBe('LLM 训练阶段演练场');
    await expect(page.getAttribute('html', 'lang')).resolves.toBe('zh-CN');
    await expect(page.getByRole('tab', { name: '预训练' }).count()).resolves.toBe(1);
    await expect(page.getByText('WebGPU 已在引擎 Worker 中就绪').count()).resolves.toBe(1);
    await page.reload();
    await expect(h1.textContent()).resolves.toBe('LLM 训练阶段演练场');
    await page.getByRole('button', { name: 'English' }).click();
    await expect(h1.textContent()).resolves.toBe('LLM stages playground');
    await expect(page.getAttribute('html', 'lang')).resolves.toBe('en');
    await expect(page.evaluate(() => localStorage.getItem('llm-playground.lang'))).resolves.toBe('en');
  });

  it('reports a lost GPU device from the worker', async (ctx) => {
    const page = await openPage(ctx);
    await page.getByTestId('adapter').waitFor({ timeout: 60_000 });
    await page.evaluate(async () => {
      const g = globalThis as unknown as { __llmPlayground: { engine: { request(c: { type: string }): Promise<unknown> } } };
      await g.__llmPlayground.engine.request({ type: 'lose-device' });
    });
    const lost = page.getByTestId('device-lost');
    await lost.waitFor({ timeout: 30_000 });
    await expect(lost.textContent()).resolves.toMatch(/The GPU device was lost.*destroyed/s);
  });

  it('explains what to do when the browser has no WebGPU', async (ctx) => {
    const page = await openPage(ctx, '', () => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    });
    const panel = page.getByTestId('no-webgpu');
    await panel.waitFor({ timeout: 30_000 });
    await expect(panel.getAttribute('data-reason')).resolves.toBe('missing');
    const text = await panel.textContent();
    expect(text).toContain('This browser has no WebGPU');
    expect(text).toContain('chrome://flags/#enable-unsafe-webgpu');
    expect(text).toContain('Chrome or Edge 113');
  });
});
