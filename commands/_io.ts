/**
 * Output for commands: the only place Paradux writes to the terminal. Library layers return
 * values; commands print them through an `Io`.
 * @module
 */

/** Where a command's output goes. */
export interface Io {
  /** A line (or lines) of normal output on stdout. */
  out(text: string): void;
  /** A line on stderr: warnings, progress, prompts' context. */
  err(text: string): void;
  /** A JSON document on stdout (for `--json`). */
  json(value: unknown): void;
  /** True when stdin and stderr are terminals: prompts and progress are allowed. */
  readonly interactive: boolean;
  /** True when colour may be used (a terminal and no NO_COLOR). */
  readonly color: boolean;
  /** Progress of long work, shown only on a terminal; `done` ends the line. */
  progress(message: string, done?: boolean): void;
}

const encoder = new TextEncoder();

/** The real terminal. */
export function terminalIo(): Io {
  const interactive = Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
  const noColor = (Deno.env.get("NO_COLOR") ?? "") !== "";
  return {
    out: (text) => Deno.stdout.writeSync(encoder.encode(text + "\n")),
    err: (text) => Deno.stderr.writeSync(encoder.encode(text + "\n")),
    json: (value) => Deno.stdout.writeSync(encoder.encode(JSON.stringify(value, null, 2) + "\n")),
    interactive,
    color: Deno.stdout.isTerminal() && !noColor,
    progress(message, done = false) {
      if (!Deno.stderr.isTerminal()) return;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${message}${done ? "\n" : ""}`));
    },
  };
}

/** An Io that records everything, for tests. */
export interface RecordingIo extends Io {
  /** Lines written with `out` and `json`. */
  readonly stdout: string[];
  /** Lines written with `err`. */
  readonly stderr: string[];
}

/** Makes an Io that records output instead of printing it. */
export function recordingIo(interactive = false): RecordingIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    json: (value) => void stdout.push(JSON.stringify(value, null, 2)),
    interactive,
    color: false,
    progress: () => {},
  };
}

/** `1 file`, `3 files`: a count and its noun, for output lines. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
