/**
 * Ctrl-C and SIGTERM, owned in one place. Outside an {@link interruptible} section a signal
 * runs the exit hooks (private directories are removed) and exits at once (130 for SIGINT,
 * 143 for SIGTERM). Inside one, the first signal aborts the section's `AbortSignal` instead:
 * every child started with it is stopped (Deno sends it SIGTERM), the work in flight ends
 * with `ParaduxError("interrupted")`, and the command reports what finished before it exits.
 * A second signal exits at once, as outside.
 * @module
 */
import { ParaduxError } from "../errors.ts";

const exitHooks = new Set<() => void>();
const sections: AbortController[] = [];
let installed = false;

function onSignal(sig: "SIGINT" | "SIGTERM"): void {
  const open = sections.filter((c) => !c.signal.aborted);
  if (open.length > 0) {
    const reason = new ParaduxError("interrupted", `interrupted by ${sig}`, {
      hint: "run the command again; it continues from what finished",
    });
    for (const c of open) c.abort(reason);
    return;
  }
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort: exiting anyway
    }
  }
  Deno.exit(sig === "SIGINT" ? 130 : 143);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(sig, () => onSignal(sig));
    } catch {
      // signals unsupported here; `finally` blocks still clean up
    }
  }
}

/** Registers `hook` to run (synchronously) when a signal makes the process exit at once. */
export function onInterruptExit(hook: () => void): void {
  install();
  exitHooks.add(hook);
}

/**
 * Runs `fn` with an `AbortSignal` that the first Ctrl-C or SIGTERM aborts (its reason is a
 * `ParaduxError("interrupted")`); `fn` should pass it to every child it starts and stop
 * starting new work once it is aborted.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  install();
  const controller = new AbortController();
  sections.push(controller);
  try {
    return await fn(controller.signal);
  } finally {
    sections.splice(sections.indexOf(controller), 1);
  }
}
