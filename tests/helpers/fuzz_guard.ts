/**
 * A real hang guard for fuzzing synchronous parsers: {@link HangGuard} runs each call in a
 * worker (tests/helpers/fuzz_worker.ts) and terminates it when it takes longer than the bound,
 * failing with the function and the input that hung. (tests/helpers/fuzz.ts `outcome` can only
 * measure a call after it returned.) Every call costs a message round trip, so properties use it
 * for a few hundred cases per parser.
 * @module
 */
import { type ErrorKind, ParaduxError } from "../../errors.ts";
import type { Outcome } from "./fuzz.ts";

type Reply =
  | { id: number; started: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; kind: ErrorKind; message: string }
  | { id: number; raw: string };

/** How long a worker may take to load a module before a call starts. */
const LOAD_LIMIT_MS = 60_000;

/** Runs functions of library modules in a worker, with a time bound per call. */
export class HangGuard {
  #worker: Worker | undefined;
  #next = 0;

  /** @param limitMs the longest a call may take. */
  constructor(readonly limitMs = 5000) {}

  #start(): Worker {
    this.#worker ??= new Worker(new URL("./fuzz_worker.ts", import.meta.url), { type: "module" });
    return this.#worker;
  }

  /**
   * Calls `name` of `module` (a file URL) with `args` (structured-cloneable). Returns its value
   * or ParaduxError; throws on any other exception and when the call exceeds the bound (the
   * worker is terminated then, and a new one starts on the next call).
   */
  call<T = unknown>(module: URL, name: string, ...args: unknown[]): Promise<Outcome<T>> {
    const worker = this.#start();
    const id = this.#next++;
    return new Promise<Outcome<T>>((resolve, reject) => {
      const fail = (message: string) => {
        worker.terminate();
        this.#worker = undefined;
        reject(new Error(message));
      };
      // Loading the module (a new worker compiles it) is not part of the call's bound.
      let timer = setTimeout(() => fail(`${name}: its module did not load`), LOAD_LIMIT_MS);
      worker.onmessage = (e: MessageEvent<Reply>) => {
        if (e.data.id !== id) return;
        clearTimeout(timer);
        const r = e.data;
        if ("started" in r) {
          timer = setTimeout(
            () =>
              fail(`${name} did not return within ${this.limitMs} ms: a hang on ${describe(args)}`),
            this.limitMs,
          );
        } else if ("raw" in r) reject(new Error(`${name} threw a raw exception: ${r.raw}`));
        else if (r.ok) resolve({ ok: true, value: r.value as T });
        else resolve({ ok: false, error: new ParaduxError(r.kind, r.message) });
      };
      worker.onerror = (e) => {
        clearTimeout(timer);
        e.preventDefault();
        fail(`${name} crashed the worker: ${e.message}`);
      };
      worker.postMessage({ id, module: module.href, name, args });
    });
  }

  /** Ends the worker (call at the end of the test). */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

function describe(args: unknown[]): string {
  return args.map((a) => {
    if (a instanceof Uint8Array) {
      const hex = Array.from(a.subarray(0, 48), (b) => b.toString(16).padStart(2, "0")).join("");
      return `${a.length} bytes ${hex}${a.length > 48 ? "..." : ""}`;
    }
    const text = JSON.stringify(a) ?? String(a);
    return text.length > 120 ? `${text.slice(0, 120)}...` : text;
  }).join(", ");
}
