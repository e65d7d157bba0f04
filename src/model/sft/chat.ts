// The chat template of the SFT stage and its encoding into token ids + loss weights.
//
//   <|user|>What's the capital of China?<|end|><|assistant|>China's capital is Beijing.<|end|>
//
// Every marker is ONE reserved special id (<|user|> 1, <|assistant|> 2, <|end|> 3: the same in the char and
// the BPE tokenizer), and each message's content is encoded on its own WITHOUT allowSpecial, so a message that
// contains the literal text "<|end|>" stays ordinary text and can never produce a special id; BPE merges never
// cross a marker either. There is no newline or space around the markers.
//
// Multi-turn: the turns follow one another (user, assistant, user, assistant, …). A system message (optional,
// first only) has no marker of its own (no <|system|> id is reserved): its text opens the first user turn,
// followed by a blank line: <|user|>{system}\n\n{user}<|end|><|assistant|>… (as Llama 2 folds <<SYS>> into
// its first [INST]).
//
// Loss weights: 1 exactly on the assistant's content tokens and on the assistant's closing <|end|> (so the
// model learns to stop), 0 on everything else (user and system text, every <|user|>, every <|assistant|>, the
// user's <|end|>). Generation starts from `promptIds` (ending with <|assistant|>) and stops at <|end|>.
// Pure TypeScript: page, worker and Node.
import { SPECIAL_IDS, type Tokenizer } from '../tokenizer/types.ts';

export type ChatRole = 'system' | 'user' | 'assistant';
export const CHAT_ROLES: readonly ChatRole[] = ['system', 'user', 'assistant'];

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface Conversation {
  messages: ChatMessage[];
}

/**
 * A stretch of the ids belonging to one message; the spans tile [0, ids.length) in order.
 * user: its content and its closing <|end|> (plus the opening <|user|> unless a system span precedes it);
 * system: the first <|user|>, the system text and the blank line; assistant: <|assistant|>, content, <|end|>.
 */
export interface ChatSpan {
  role: ChatRole;
  /** Index of the first id of the span. */
  start: number;
  /** One past the last id. */
  end: number;
}

export interface EncodedChat {
  ids: number[];
  /** Per id: 1 on assistant content and the assistant's closing <|end|>, else 0. */
  weights: number[];
  spans: ChatSpan[];
}

/** What the template needs of a tokenizer. */
export type ChatTokenizer = Pick<Tokenizer, 'encode'>;

/** The text between a system message and the first user message, inside the first user turn. */
export const SYSTEM_SEPARATOR = '\n\n';
/** Generation stops at this id (the assistant's closing <|end|>). */
export const STOP_ID = SPECIAL_IDS.end;

const USER = '<|user|>';
const ASSISTANT = '<|assistant|>';
const END = '<|end|>';

/**
 * Checks the shape of a conversation given as unknown data (parsed JSON, say). Returns the first problem as
 * a sentence, or null when it is fine. `mode`:
 *  - 'train' (default): must contain an assistant turn and END with one (a trailing user turn trains nothing);
 *  - 'prompt': must end with a user turn (the model answers next);
 *  - 'any': either.
 * Always: a non-empty `messages` array of objects with a known `role` and a string `content`; a system message
 * only first; then user and assistant alternating, starting with user.
 */
export function conversationProblem(value: unknown, mode: 'train' | 'prompt' | 'any' = 'train'): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const messages = (value as { messages?: unknown }).messages;
  if (messages === undefined) return 'no "messages" field';
  if (!Array.isArray(messages)) return '"messages" is not an array';
  if (messages.length === 0) return '"messages" is empty';
  let expect: 'user' | 'assistant' = 'user';
  let assistants = 0;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    const where = `message ${i + 1}`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return `${where} is not an object`;
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (role === undefined) return `${where} has no "role"`;
    if (typeof role !== 'string' || !(CHAT_ROLES as readonly string[]).includes(role)) {
      return `${where} has an unknown role ${JSON.stringify(role)} (expected "system", "user" or "assistant")`;
    }
    if (content === undefined) return `${where} has no "content"`;
    if (typeof content !== 'string') return `${where} has non-string content (${content === null ? 'null' : typeof content})`;
    if (role === 'system') {
      if (i !== 0) return `${where}: a system message may only come first (turn order)`;
      continue;
    }
    if (role !== expect) {
      return `${where}: expected a ${expect} turn, got ${role} (turn order: user and assistant alternate, user first)`;
    }
    if (role === 'assistant') assistants++;
    expect = expect === 'user' ? 'assistant' : 'user';
  }
  const last = (messages[messages.length - 1] as ChatMessage).role;
  if (mode === 'train') {
    if (assistants === 0) return 'no assistant turn';
    if (last !== 'assistant') return 'the last message must be the assistant\'s (turn order)';
  } else if (mode === 'prompt') {
    if (last !== 'user') return 'a prompt must end with a user message';
  } else if (last === 'system') {
    return 'no user message';
  }
  return null;
}

function encodeContent(tokenizer: ChatTokenizer, text: string): number[] {
  return text === '' ? [] : tokenizer.encode(text); // never allowSpecial: content cannot inject a marker
}

/**
 * Encodes a conversation with the template above. Throws on a malformed conversation (see
 * conversationProblem, mode 'any': it may end with a user turn, which then gets no <|assistant|>).
 */
export function encodeChat(tokenizer: ChatTokenizer, conv: Conversation): EncodedChat {
  const problem = conversationProblem(conv, 'any');
  if (problem) throw new Error(`encodeChat: ${problem}`);
  const ids: number[] = [];
  const weights: number[] = [];
  const spans: ChatSpan[] = [];
  const push = (xs: readonly number[], w: number) => {
    for (const x of xs) {
      ids.push(x);
      weights.push(w);
    }
  };
  let system: string | null = null;
  for (const m of conv.messages) {
    const start = ids.length;
    if (m.role === 'system') {
      system = m.content;
      continue;
    }
    if (m.role === 'user') {
      push([SPECIAL_IDS.user], 0);
      let userStart = start;
      if (system !== null) {
        push(encodeContent(tokenizer, system + SYSTEM_SEPARATOR), 0);
        spans.push({ role: 'system', start, end: ids.length });
        userStart = ids.length;
        system = null;
      }
      push(encodeContent(tokenizer, m.content), 0);
      push([SPECIAL_IDS.end], 0);
      spans.push({ role: 'user', start: userStart, end: ids.length });
    } else {
      push([SPECIAL_IDS.assistant], 0);
      push(encodeContent(tokenizer, m.content), 1);
      push([SPECIAL_IDS.end], 1);
      spans.push({ role: 'assistant', start, end: ids.length });
    }
  }
  return { ids, weights, spans };
}

/**
 * The ids generation starts from: the user turn(s) and a final <|assistant|>. Takes the user's text, or a
 * conversation that ends with a user message (earlier turns and a system message included).
 */
export function promptIds(tokenizer: ChatTokenizer, prompt: string | Conversation): number[] {
  const conv: Conversation = typeof prompt === 'string' ? { messages: [{ role: 'user', content: prompt }] } : prompt;
  const problem = conversationProblem(conv, 'prompt');
  if (problem) throw new Error(`promptIds: ${problem}`);
  const { ids } = encodeChat(tokenizer, conv);
  ids.push(SPECIAL_IDS.assistant);
  return ids;
}

/**
 * The answer in generated ids: everything before the first <|end|> (or all of it when the model never
 * stopped), special ids left out. Pass only the NEW ids (after promptIds).
 */
export function answerFromIds(tokenizer: Pick<Tokenizer, 'decode'>, generated: ArrayLike<number>): { text: string; stopped: boolean } {
  const out: number[] = [];
  let stopped = false;
  for (let i = 0; i < generated.length; i++) {
    if (generated[i] === STOP_ID) {
      stopped = true;
      break;
    }
    out.push(generated[i]);
  }
  return { text: tokenizer.decode(out, { skipSpecial: true }), stopped };
}

/** The template as literal text (markers written out), e.g. for showing a training example. */
export function renderChat(conv: Conversation): string {
  let s = '';
  let system: string | null = null;
  for (const m of conv.messages) {
    if (m.role === 'system') system = m.content;
    else if (m.role === 'user') {
      s += USER + (system !== null ? system + SYSTEM_SEPARATOR : '') + m.content + END;
      system = null;
    } else s += ASSISTANT + m.content + END;
  }
  return s;
}

/** A human-readable account of the template, for the page. */
export function templateDescription(): string {
  return [
    `${USER}{question}${END}${ASSISTANT}{answer}${END}`,
    '',
    `Example: ${renderChat({
      messages: [
        { role: 'user', content: "What's the capital of China?" },
        { role: 'assistant', content: "China's capital is Beijing." },
      ],
    })}`,
    '',
    `Each marker is one reserved token: ${USER} = ${SPECIAL_IDS.user}, ${ASSISTANT} = ${SPECIAL_IDS.assistant}, ` +
      `${END} = ${SPECIAL_IDS.end} (the same ids in the char and the BPE tokenizer). Message text is encoded as ` +
      `plain text, so typing "${END}" in a question cannot end the turn.`,
    `The loss is computed only on the answer and its closing ${END} (so the model learns when to stop); the ` +
      `question and the markers before the answer are context (weight 0).`,
    `More turns follow one another the same way. A system message, if any, opens the first user turn, followed ` +
      `by a blank line.`,
    `To answer, the model is given ${USER}{question}${END}${ASSISTANT} and generates until it writes ${END}.`,
  ].join('\n');
}
