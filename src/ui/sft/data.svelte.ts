// The SFT data the page holds and edits: rows of Q&A pairs (builtin:facts-qa, or imported JSONL) with their
// split, the edits, import and export, and keeping the edits in this browser (persist.ts). The controller
// owns one; 'sft-start' sends its pairs to the worker. Pure logic of the table is table.ts.
import { parseSftJsonl, toSftJsonl, type SftJsonlError } from '../../model/sft/jsonl.ts';
import type { QaPair } from '../../model/sft/types.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';
import { factsDataset, worldKeyFor } from './dataset.ts';
import { clearData, loadData, saveData } from './persist.ts';
import { addRow, deleteRow, qaPair, toRows, updateRow, type Row, type Split } from './table.ts';

export class SftData {
  rows: Row[] = $state.raw([]);
  /** 'builtin:facts-qa' or the imported file ('file:…'): the new checkpoint's lineage records it. */
  source = $state('builtin:facts-qa');
  edited = $state(false);
  /** The facts world the rows came from, as its corpus key (answers are judged by the fact); null once a
   *  file replaced them. */
  world: string | null = $state(null);
  importReport: { file: string; added: number; errors: SftJsonlError[] } | null = $state.raw(null);
  /** The row the mask view shows (null: the first training row). */
  maskKey: number | null = $state(null);
  /** The edits could not be kept in this browser (storage full or disabled). */
  warning: Msg | null = $state(null);
  private nextKey = 0;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  /** The edits of an earlier visit, else builtin:facts-qa of the default world. */
  init(): void {
    const saved = loadData(globalThis.localStorage);
    if (saved) {
      this.setRows(saved.rows, saved.source);
      this.world = saved.world;
      this.edited = true;
    } else this.reset(worldKeyFor([]));
  }

  /** Writes a pending save now (the page is going away). */
  flush(): void {
    if (this.saveTimer === null) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    this.persist();
  }

  get trainCount(): number {
    return this.rows.reduce((n, r) => n + (r.split === 'train' ? 1 : 0), 0);
  }

  get trainPairs(): QaPair[] {
    return this.rows.filter((r) => r.split === 'train').map((r) => r.pair);
  }

  /** The pair the mask view shows. */
  get maskPair(): QaPair | null {
    const r = (this.maskKey !== null ? this.rows.find((x) => x.key === this.maskKey) : undefined) ?? this.rows.find((x) => x.split === 'train');
    return r?.pair ?? null;
  }

  /** The source as the lineage records it. */
  get label(): string {
    return this.source + (this.edited && this.source === 'builtin:facts-qa' ? ' (edited)' : '');
  }

  /** builtin:facts-qa of a world (drops the edits and their saved copy: the page asks first). */
  reset(world: string): void {
    const d = factsDataset(world);
    this.setRows(d.rows, 'builtin:facts-qa');
    this.world = d.world;
    this.edited = false;
    this.importReport = null;
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    clearData(globalThis.localStorage);
  }

  add(question: string, answer: string, split: Split = 'train'): void {
    this.rows = addRow(this.rows, { key: this.nextKey++, split, pair: qaPair(question.trim(), answer.trim()) });
    this.markEdited();
  }

  edit(key: number, change: { question?: string; answer?: string; split?: Split }): void {
    this.rows = updateRow(this.rows, key, change);
    this.markEdited();
  }

  remove(key: number): void {
    this.rows = deleteRow(this.rows, key);
    this.markEdited();
  }

  /**
   * Reads a JSONL file: valid lines are added as training pairs ('replace': instead of the current rows);
   * bad lines are listed with their numbers. A file without a single valid line changes nothing.
   */
  async importJsonl(file: File, mode: 'add' | 'replace'): Promise<void> {
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      this.importReport = { file: file.name, added: 0, errors: [{ line: 0, message: e instanceof Error ? e.message : String(e) }] };
      return;
    }
    const { pairs, errors } = parseSftJsonl(text);
    if (pairs.length === 0) {
      this.importReport = { file: file.name, added: 0, errors: errors.length ? errors : [{ line: 0, message: 'no conversations in the file' }] };
      return;
    }
    const rows = toRows(pairs, 'train', this.nextKey);
    if (mode === 'replace') {
      this.setRows(rows, `file:${file.name}`);
      this.world = null;
    } else {
      this.rows = [...rows, ...this.rows];
      this.nextKey += rows.length;
    }
    this.markEdited();
    this.importReport = { file: file.name, added: pairs.length, errors };
  }

  /** The rows of a split (all: every row) as a JSONL file, for download. */
  exportJsonl(split: Split | 'all' = 'train'): File {
    const pairs = this.rows.filter((r) => split === 'all' || r.split === split).map((r) => r.pair);
    return new File([toSftJsonl(pairs)], `sft-${split}.jsonl`, { type: 'application/jsonl' });
  }

  private setRows(rows: Row[], source: string): void {
    this.rows = rows;
    this.nextKey = rows.reduce((m, r) => Math.max(m, r.key + 1), 0);
    this.source = source;
  }

  /** Saves the edited rows (debounced: typing in the table edits often). */
  private markEdited(): void {
    this.edited = true;
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.persist();
    }, 500);
  }

  private persist(): void {
    const ok = saveData(globalThis.localStorage, { source: this.source, world: this.world, rows: this.rows });
    this.warning = ok ? null : { key: 'sft.warn.notSaved' };
  }
}
