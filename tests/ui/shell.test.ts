// The app shell's logic without a browser: the engine client's request/response/error/event plumbing
// (against a fake worker) and the i18n tables.
import { describe, expect, it } from 'vitest';
import { EngineClient, EngineError, type WorkerLike } from '../../src/ui/engine-client.ts';
import { MESSAGES, formatBytes, translate, type MessageKey } from '../../src/ui/i18n.ts';
import { stageFromHash } from '../../src/ui/stages.ts';
import type { RequestMessage, WorkerMessage } from '../../src/model/worker/protocol.ts';

/** A worker stand-in: records what the client posts; `reply` delivers a message to the client. */
class FakeWorker implements WorkerLike {
  sent: RequestMessage[] = [];
  terminated = false;
  private onMessage: ((ev: MessageEvent) => void)[] = [];
  private onError: ((ev: ErrorEvent) => void)[] = [];
  postMessage(msg: unknown): void {
    this.sent.push(msg as RequestMessage);
  }
  addEventListener(type: 'message' | 'error', fn: ((ev: MessageEvent) => void) | ((ev: ErrorEvent) => void)): void {
    if (type === 'message') this.onMessage.push(fn as (ev: MessageEvent) => void);
    else this.onError.push(fn as (ev: ErrorEvent) => void);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(msg: WorkerMessage): void {
    for (const fn of this.onMessage) fn({ data: msg } as MessageEvent);
  }
  crash(message: string): void {
    for (const fn of this.onError) fn({ message, preventDefault() {} } as ErrorEvent);
  }
}

const REPORT = { vendor: 'v', architecture: 'a', device: '', description: '', limits: { maxBufferSize: 1 }, features: [] };

describe('EngineClient', () => {
  it('matches responses to requests by id, in any order', async () => {
    const w = new FakeWorker();
    const c = new EngineClient(w);
    const a = c.request({ type: 'hello' });
    const b = c.request({ type: 'lose-device' });
    expect(w.sent.map((m) => m.cmd.type)).toEqual(['hello', 'lose-device']);
    expect(new Set(w.sent.map((m) => m.id)).size).toBe(2);
    w.reply({ kind: 'response', id: w.sent[1].id, ok: true, result: { ok: true } });
    w.reply({ kind: 'response', id: w.sent[0].id, ok: true, result: REPORT });
    await expect(a).resolves.toEqual(REPORT);
    await expect(b).resolves.toEqual({ ok: true });
  });

  it("rejects with the worker's error code and message", async () => {
    const w = new FakeWorker();
    const c = new EngineClient(w);
    const p = c.request({ type: 'hello' });
    w.reply({
      kind: 'response',
      id: w.sent[0].id,
      ok: false,
      error: { name: 'GpuError', message: 'No WebGPU adapter was found', code: 'no-adapter' },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('no-adapter');
    expect((err as EngineError).message).toBe('No WebGPU adapter was found');
  });

  it('passes events (device loss) to listeners until they unsubscribe', () => {
    const w = new FakeWorker();
    const c = new EngineClient(w);
    const seen: string[] = [];
    const off = c.on((e) => seen.push(e.type === 'device-lost' ? `lost:${e.reason}` : e.type));
    w.reply({ kind: 'event', event: { type: 'device-lost', reason: 'destroyed: gone' } });
    off();
    w.reply({ kind: 'event', event: { type: 'device-lost', reason: 'again' } });
    expect(seen).toEqual(['lost:destroyed: gone']);
  });

  it('fails pending and later requests when the worker crashes or is stopped', async () => {
    const w = new FakeWorker();
    const c = new EngineClient(w);
    const p = c.request({ type: 'hello' });
    w.crash('SyntaxError in engine-worker.js');
    await expect(p).rejects.toThrow(/engine worker failed: SyntaxError/);
    await expect(c.request({ type: 'hello' })).rejects.toMatchObject({ code: 'worker-error' });

    const w2 = new FakeWorker();
    const c2 = new EngineClient(w2);
    const q = c2.request({ type: 'hello' });
    c2.terminate();
    expect(w2.terminated).toBe(true);
    await expect(q).rejects.toMatchObject({ code: 'terminated' });
  });
});

describe('i18n', () => {
  it('has every string in both languages, with the same placeholders', () => {
    const keys = Object.keys(MESSAGES.en) as MessageKey[];
    expect(Object.keys(MESSAGES.zh).sort()).toEqual([...keys].sort());
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of keys) {
      expect(MESSAGES.zh[k].trim(), k).not.toBe('');
      expect(holes(MESSAGES.zh[k]), k).toEqual(holes(MESSAGES.en[k]));
    }
  });

  it('fills placeholders as plain text', () => {
    expect(translate('en', 'lost.body', { reason: '<b>x</b>' })).toBe(
      'Reason: <b>x</b>. Reload the page to start a new device.',
    );
    expect(translate('zh', 'nogpu.why.failed', { message: 'boom' })).toBe('引擎报告：boom');
  });

  it('formats byte limits and reads the stage from the URL', () => {
    expect(formatBytes(1024 ** 3)).toBe('1 GiB');
    expect(formatBytes(32 * 1024)).toBe('32 KiB');
    expect(formatBytes(1.5 * 1024 ** 2)).toBe('1.5 MiB');
    expect(stageFromHash('#rlhf')).toBe('rlhf');
    expect(stageFromHash('#nope')).toBe('pretrain');
  });
});
