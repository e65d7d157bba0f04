// The SFT data layer: chat template, batches, builtin:facts-qa, scoring, JSONL. Pure TypeScript (page,
// worker, Node). See README.md.
export {
  CHAT_ROLES,
  STOP_ID,
  SYSTEM_SEPARATOR,
  answerFromIds,
  conversationProblem,
  encodeChat,
  promptIds,
  renderChat,
  templateDescription,
  type ChatMessage,
  type ChatRole,
  type ChatSpan,
  type ChatTokenizer,
  type Conversation,
  type EncodedChat,
} from './chat.ts';
export {
  fitAll,
  fitToContext,
  makeSftBatch,
  type SftBatch,
  type SftBatchOptions,
  type SftExample,
  type UniformRng,
} from './batch.ts';
export { answerOf, guessLang, questionOf, sftText, type QaPair } from './types.ts';
export {
  PINNED_QUESTIONS,
  questionPhrasingById,
  questionPhrasingsFor,
  splitQuestions,
  type QuestionPhrasing,
  type QuestionSplit,
} from './questions.ts';
export {
  FACTS_QA_ID,
  IDENTITY_PAIRS,
  factsQa,
  samplePairs,
  seedPairs,
  trainedSample,
  type FactsQa,
  type FactsQaOptions,
} from './facts-qa.ts';
export {
  exactMatch,
  factOf,
  isCorrect,
  normalizeAnswer,
  scoreAnswer,
  summarize,
  type AccuracySummary,
  type AnswerScore,
} from './eval.ts';
export {
  DEFAULT_MAX_LINE_LENGTH,
  parseSftJsonl,
  toSftJsonl,
  type ParseSftJsonlOptions,
  type SftJsonlError,
  type ToSftJsonlOptions,
} from './jsonl.ts';
