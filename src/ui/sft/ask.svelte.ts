// Asking stored models a question through the chat template (the SFT panel's last step): the chosen model
// answers first, then the one it is compared with (by default the base it was fine-tuned from); each answer
// streams in through 'sft-ask-token' events. The controller owns one and routes the engine's events here.
import type { EngineEvent } from '../../model/worker/protocol.ts';
import type { EngineClient } from '../engine-client.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';

export interface AskAnswer {
  text: string;
  busy: boolean;
  /** The model closed its turn with <|end|>. */
  ended: boolean;
  error: Msg | null;
}

const emptyAnswer = (): AskAnswer => ({ text: '', busy: false, ended: false, error: null });

export class SftAsk {
  /** The model asked, and the one compared with ('' for none). */
  modelId = $state('');
  compareId = $state('');
  question = $state('');
  maxTokens = $state(64);
  answer: AskAnswer = $state(emptyAnswer());
  compareAnswer: AskAnswer = $state(emptyAnswer());
  private seq = '';

  constructor(
    private readonly engine: EngineClient,
    /** True while training holds the GPU (asking waits for a pause). */
    private readonly gpuTaken: () => boolean,
    private readonly errorMsg: (e: unknown) => Msg,
  ) {}

  get busy(): boolean {
    return this.answer.busy || this.compareAnswer.busy;
  }

  get canAsk(): boolean {
    return !!this.modelId && this.question.trim() !== '' && !this.busy && !this.gpuTaken();
  }

  /** Asks the chosen model, then (for contrast) the model it is compared with, one after the other. */
  async ask(): Promise<void> {
    if (!this.canAsk) return;
    const seq = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    this.seq = seq;
    this.answer = emptyAnswer();
    this.compareAnswer = emptyAnswer();
    await this.askOne(`${seq}:model`, this.modelId, this.answer);
    if (this.compareId && this.seq === seq) await this.askOne(`${seq}:compare`, this.compareId, this.compareAnswer);
  }

  stop(): void {
    for (const which of ['model', 'compare']) void this.engine.request({ type: 'sft-ask-stop', askId: `${this.seq}:${which}` }).catch(() => {});
    this.seq = '';
  }

  onEvent(e: EngineEvent): void {
    if (e.type === 'sft-ask-token') {
      if (e.askId === `${this.seq}:model`) this.answer.text = e.text;
      else if (e.askId === `${this.seq}:compare`) this.compareAnswer.text = e.text;
    } else if (e.type === 'device-lost') {
      for (const a of [this.answer, this.compareAnswer]) if (a.busy) a.error = this.errorMsg(new Error(e.reason));
    }
  }

  private async askOne(askId: string, checkpointId: string, into: AskAnswer): Promise<void> {
    into.busy = true;
    try {
      const r = await this.engine.request({
        type: 'sft-ask',
        askId,
        checkpointId,
        question: this.question,
        maxTokens: Math.max(1, Math.min(1000, Math.floor(this.maxTokens) || 1)),
      });
      into.text = r.text;
      into.ended = r.ended;
    } catch (e) {
      into.error = this.errorMsg(e);
    } finally {
      into.busy = false;
    }
  }
}
