// Errors the worker answers with a stable code, so the UI can explain them in the person's language.
import type { ErrorCode } from './protocol.ts';

export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts for the UI's message (e.g. the file a resumed run needs). */
    readonly detail?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function codeError(code: ErrorCode, message: string, detail?: Record<string, string | number>): CodedError {
  return new CodedError(code, message, detail);
}
