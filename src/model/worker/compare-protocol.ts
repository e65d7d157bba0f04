// The compare stage's commands and events between the UI and the engine worker, merged into protocol.ts's
// CommandMap and EngineEvent (see there for the conventions: one response per request id, events for progress).
//
// One 'compare-generate' runs 2–4 columns at once (each a stored checkpoint, with or without the chat
// template), interleaved token by token on the one device with the same settings and seed; every token
// arrives as a 'compare-token' event with its probability and the top candidates. 'compare-score' and
// 'compare-attention' each run one forward pass over a column's finished sequence.

/** One column of a comparison. */
export interface CompareColumnSpec {
  /** The UI's id for the column (events name it). */
  colId: string;
  checkpointId: string;
  /** Wrap the prompt in the chat template (<|user|>…<|end|><|assistant|>). */
  chat: boolean;
}

/** The settings every column shares. */
export interface CompareSettings {
  temperature: number;
  topK: number;
  topP: number;
  maxTokens: number;
  seed: number;
  /** End a column when it writes <|end|>. */
  stopAtEnd: boolean;
}

/** A candidate next token: its id, how it prints, its probability (softmax at temperature 1). */
export interface CompareCandidate {
  id: number;
  piece: string;
  p: number;
}

/** How a column ended: wrote <|end|>, reached max tokens, was cancelled, or failed (see message). */
export type ColumnEndReason = 'end' | 'max' | 'stopped' | 'error' | 'missing';

export interface CompareGenerateResult {
  columns: { colId: string; tokens: number; reason: ColumnEndReason }[];
  /** True when compare-stop ended the run early. */
  stopped: boolean;
}

export interface CompareScoreResult {
  /** Per generated token (ids[from…]): its log-probability under the scoring model, or null when it lies
   *  outside that model's context window (or is the window's first token, which has no prediction). */
  logprobs: (number | null)[];
}

export interface CompareAttentionResult {
  /** The sequence the map covers: the last ≤ context ids of the request. */
  offset: number;
  T: number;
  /** Row-major [T, T]: row t is where token t looks (causal: zero right of the diagonal). */
  att: number[];
  pieces: string[];
}

export interface CompareCommands {
  /** Generates in every column at once; tokens stream as 'compare-token' events. */
  'compare-generate': {
    req: { type: 'compare-generate'; runId: string; prompt: string; columns: CompareColumnSpec[]; settings: CompareSettings };
    res: CompareGenerateResult;
  };
  /** Cancels a running comparison (its request then resolves with what was generated). */
  'compare-stop': { req: { type: 'compare-stop'; runId: string }; res: { ok: true } };
  /** Log-probabilities of ids[from…] under a checkpoint, one forward pass. `fingerprint` must equal the
   *  checkpoint's tokenizer fingerprint (else error code 'tokenizer-mismatch'): ids only mean the same text
   *  under the same tokenizer. */
  'compare-score': {
    req: { type: 'compare-score'; checkpointId: string; ids: number[]; from: number; fingerprint: string };
    res: CompareScoreResult;
  };
  /** One layer's and head's causal attention probabilities over a sequence (its last ≤ context ids). */
  'compare-attention': {
    req: { type: 'compare-attention'; checkpointId: string; ids: number[]; layer: number; head: number };
    res: CompareAttentionResult;
  };
}

export type CompareEvent =
  /** A column's model is loaded and its prompt encoded. */
  | {
      type: 'compare-column-start';
      runId: string;
      colId: string;
      /** The ids generation starts from (after truncation to the context). */
      promptIds: number[];
      promptPieces: string[];
      /** Prompt tokens dropped from the front because the prompt was longer than the context. */
      dropped: number;
      contextLength: number;
      layers: number;
      heads: number;
      vocabSize: number;
      tokenizerKind: string;
      /** Equal fingerprints mean equal tokenizers (see tokenizerFingerprint). */
      fingerprint: string;
    }
  /** One generated token: `logp` and `top` from its logits at temperature 1; `text` is all generated text so far. */
  | {
      type: 'compare-token';
      runId: string;
      colId: string;
      id: number;
      piece: string;
      special: boolean;
      logp: number;
      top: CompareCandidate[];
      text: string;
    }
  | { type: 'compare-column-end'; runId: string; colId: string; reason: ColumnEndReason; tokens: number; message?: string };
