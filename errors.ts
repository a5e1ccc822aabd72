/**
 * The one error type for mistakes a user can fix (bad input, wrong passphrase, missing tool...).
 *
 * Every layer may throw it; only `main.ts` turns it into a message and an exit code (see the
 * table `EXIT_CODES` there). Anything else that escapes is a bug and is printed with its stack.
 * This module is the bottom of the layer stack: it imports nothing.
 * @module
 */

/** The kinds of user error; each maps to one stable exit code in `main.ts`. */
export type ErrorKind =
  | "usage" // bad flags or arguments
  | "input" // malformed input data: JSON, fallback text, frames, a truncated file
  | "mismatch" // an input of another backup, document, share set or vault
  | "auth" // wrong passphrase, bad signature, forged share, checksum mismatch
  | "not-found" // a file, vault, dataset or location that does not exist
  | "exists" // refusing to overwrite something that exists
  | "locked" // another Paradux process holds the lock
  | "missing-tool" // an external program is not installed
  | "tool-failed" // an external program ran and failed
  | "insufficient" // too few shares or frames to recover
  | "partial" // some destinations or checks failed, others succeeded
  | "capacity" // the vault or a page is too small for the data
  | "interrupted"; // Ctrl-C or SIGTERM

/** A user error: a short lowercase message, an optional hint, and a kind that picks the exit code. */
export class ParaduxError extends Error {
  /** Which row of the exit-code table applies. */
  readonly kind: ErrorKind;
  /** One line telling the user what to do next, if there is something to do. */
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ParaduxError";
    this.kind = kind;
    this.hint = options.hint;
  }
}

/** Shorthand for `new ParaduxError(...)` in expression position. */
export function userError(
  kind: ErrorKind,
  message: string,
  options: { hint?: string; cause?: unknown } = {},
): ParaduxError {
  return new ParaduxError(kind, message, options);
}

/** One line for a failure, plus its hint: the user error's message, or a bug's text. */
export function failureOf(e: unknown): { error: string; hint?: string } {
  if (e instanceof ParaduxError) {
    return e.hint === undefined ? { error: e.message } : { error: e.message, hint: e.hint };
  }
  if (e instanceof Error) return { error: `${e.name}: ${e.message}` };
  return { error: String(e) };
}

/** True when `e` is a Paradux user error, optionally of a given kind. */
export function isUserError(e: unknown, kind?: ErrorKind): e is ParaduxError {
  return e instanceof ParaduxError && (kind === undefined || e.kind === kind);
}
