/**
 * Worker side of {@link HangGuard} (tests/helpers/fuzz_guard.ts): calls one exported function of
 * a module with the given arguments and posts back its value, the ParaduxError it threw (kind and
 * message), or any other exception as text. Runs in a worker so that the test can terminate it
 * when a call never returns (an endless loop in a synchronous parser).
 * @module
 */
/// <reference lib="deno.worker" />
import { ParaduxError } from "../../errors.ts";

/** A request from the test (the reply: `{id, started}` once loaded, then the outcome). */
interface Call {
  id: number;
  module: string;
  name: string;
  args: unknown[];
}

self.onmessage = async (e: MessageEvent<Call>) => {
  const { id, module, name, args } = e.data;
  try {
    const mod = await import(module) as Record<string, (...a: unknown[]) => unknown>;
    const fn = mod[name];
    if (typeof fn !== "function") throw new Error(`${module} has no function ${name}`);
    self.postMessage({ id, started: true }); // the module is loaded: the time bound starts now
    const value = await fn(...args);
    try {
      self.postMessage({ id, ok: true, value });
    } catch {
      self.postMessage({ id, ok: true, value: null }); // not cloneable: the call still returned
    }
  } catch (err) {
    if (err instanceof ParaduxError) {
      self.postMessage({ id, ok: false, kind: err.kind, message: err.message });
    } else {
      self.postMessage({
        id,
        raw: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  }
};
