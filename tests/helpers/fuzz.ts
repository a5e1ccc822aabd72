/**
 * Shared pieces of the fuzz tests (tests/unit/<layer>/*_fuzz_test.ts): how many cases to run,
 * and the one property every parser of untrusted input must keep — it returns a result or throws
 * a ParaduxError, never another exception, and never takes longer than a time bound per case.
 *
 * `PARADUX_FUZZ_RUNS=N` runs N cases per property (the older `FUZZ_RUNS` is read too); without
 * it each property runs its own default, sized so that all fuzz tests finish in well under two
 * minutes on 2 cores. A synchronous parser cannot be interrupted inside the same thread, so here
 * a case that is slow but finishes fails the bound; async cases are raced against it. True
 * endless loops are caught by tests/helpers/fuzz_guard.ts, which runs calls in a worker and
 * terminates it (tests/unit/vault/no_hang_fuzz_test.ts runs every parser that way).
 * @module
 */
import { ParaduxError } from "../../errors.ts";

/** Cases per property: `PARADUX_FUZZ_RUNS` (or `FUZZ_RUNS`) when set, else `fallback`. */
export function fuzzRuns(fallback: number): number {
  const raw = Deno.env.get("PARADUX_FUZZ_RUNS") ?? Deno.env.get("FUZZ_RUNS");
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** Default time bound of one fuzz case in milliseconds. */
export const CASE_LIMIT_MS = 2000;

/** What a parser gave for one case: its value, or the ParaduxError it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ParaduxError };

function tooSlow(ms: number, limitMs: number): Error {
  return new Error(`fuzz case took ${ms.toFixed(0)} ms (limit ${limitMs} ms): a near-hang`);
}

/**
 * Runs `fn` once; returns its value or the ParaduxError it threw. Any other exception is
 * rethrown (the property fails), and so is a run slower than `limitMs`.
 */
export function outcome<T>(fn: () => T, limitMs = CASE_LIMIT_MS): Outcome<T> {
  const t0 = performance.now();
  let result: Outcome<T>;
  try {
    result = { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
    result = { ok: false, error: e };
  }
  const ms = performance.now() - t0;
  if (ms > limitMs) throw tooSlow(ms, limitMs);
  return result;
}

/** Like {@link outcome} for async work; the promise is raced against the bound. */
export async function outcomeAsync<T>(
  fn: () => Promise<T>,
  limitMs = CASE_LIMIT_MS,
): Promise<Outcome<T>> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow(performance.now() - t0, limitMs)), limitMs);
  });
  try {
    return { ok: true, value: await Promise.race([fn(), timeout]) };
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
    return { ok: false, error: e };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Flips bit `bit` (0..7) of byte `at` in a copy of `bytes`. (`new Uint8Array(bytes)`, not
 * `bytes.slice()`: cborg hands out node Buffers, whose `slice` is a view, not a copy.)
 */
export function flipBit(bytes: Uint8Array, at: number, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[at] = (out[at] ?? 0) ^ (1 << (bit & 7));
  return out;
}
