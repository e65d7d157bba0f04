// The shapes of the Compare panel's state (CompareController holds them; the components render them).
import type { StoredCheckpointInfo } from '../../model/checkpoint/store.ts';
import type { ColumnEndReason, CompareAttentionResult, CompareCandidate } from '../../model/worker/compare-protocol.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';

export interface ColumnSetup {
  colId: string;
  checkpointId: string;
  chat: boolean;
  /** The person set the switch, so picking another checkpoint keeps it. */
  chatTouched: boolean;
}

export interface TokenInfo {
  id: number;
  piece: string;
  special: boolean;
  logp: number;
  top: CompareCandidate[];
}

/** What the worker said when the column's model was loaded. */
export interface ColumnStart {
  promptIds: number[];
  promptPieces: string[];
  dropped: number;
  contextLength: number;
  layers: number;
  heads: number;
  vocabSize: number;
  tokenizerKind: string;
  fingerprint: string;
}

export interface ColumnResult {
  colId: string;
  checkpointId: string;
  /** Name and stage when the run started (kept if the checkpoint is deleted later). */
  name: string;
  stage: StoredCheckpointInfo['stage'] | null;
  chat: boolean;
  status: 'waiting' | 'running' | ColumnEndReason;
  message: string | null;
  start: ColumnStart | null;
  tokens: TokenInfo[];
  text: string;
}

export interface DiffState {
  /** The other column whose model scores this column's tokens. */
  against: string;
  busy: boolean;
  values: (number | null)[] | null;
  error: Msg | null;
}

export interface HeatState {
  colId: string;
  layer: number;
  head: number;
  busy: boolean;
  error: Msg | null;
  result: (CompareAttentionResult & { name: string; layer: number; head: number }) | null;
}
