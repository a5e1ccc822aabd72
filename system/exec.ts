/**
 * The one way Paradux runs other programs: an argument array (never a shell string), optional
 * stdin bytes for secrets, captured output, and typed errors.
 *
 * - A program that is not installed becomes `ParaduxError("missing-tool")` naming the Debian
 *   package to install (from {@link TOOL_PACKAGES}).
 * - A program Paradux's permissions do not allow becomes a `missing-tool` error saying so.
 * - A non-zero exit becomes `ParaduxError("tool-failed")` carrying the program's stderr, unless
 *   `check: false` or the code is in `okCodes`.
 * @module
 */
import { ParaduxError } from "../errors.ts";

/** Debian package that provides each external program Paradux runs. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  cryptsetup: "cryptsetup-bin",
  rsync: "rsync",
  ssh: "openssh-client",
  "ssh-keygen": "openssh-client",
  sshd: "openssh-server",
  restic: "restic",
  rclone: "rclone",
  tar: "tar",
  age: "age",
  "age-keygen": "age",
  qrencode: "qrencode",
  pdftoppm: "poppler-utils",
  systemctl: "systemd",
  "systemd-analyze": "systemd",
  openssl: "openssl",
  python3: "python3",
};

/** Options for {@link exec}. */
export interface ExecOptions {
  /** Bytes (or UTF-8 text) written to the program's stdin, then stdin is closed. Use for secrets. */
  stdin?: Uint8Array | string;
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables (merged into the inherited environment unless `clearEnv`). */
  env?: Record<string, string>;
  /** Start from an empty environment (PATH is still passed). */
  clearEnv?: boolean;
  /** Throw `tool-failed` on a non-zero exit (default true). */
  check?: boolean;
  /** Exit codes that count as success besides 0. */
  okCodes?: readonly number[];
  /** Let the program write straight to the terminal instead of capturing (for editors, progress). */
  inheritStdio?: boolean;
  /** Abort the program (it is sent SIGTERM). */
  signal?: AbortSignal;
}

/** What a finished program left behind. */
export interface ExecResult {
  /** Exit code (128 + signal number when killed by a signal). */
  code: number;
  /** Captured standard output (empty with `inheritStdio`). */
  stdout: Uint8Array;
  /** Captured standard error (empty with `inheritStdio`). */
  stderr: Uint8Array;
}

const decoder = new TextDecoder();

/** The captured stdout as text. */
export function stdoutText(result: ExecResult): string {
  return decoder.decode(result.stdout);
}

/** The captured stderr as text. */
export function stderrText(result: ExecResult): string {
  return decoder.decode(result.stderr);
}

/** The error for a program that is not on PATH. */
export function missingTool(program: string): ParaduxError {
  const pkg = TOOL_PACKAGES[program];
  return new ParaduxError("missing-tool", `${program} is not installed`, {
    hint: pkg === undefined
      ? `install ${program} and make sure it is on PATH`
      : `install it with: apt-get install ${pkg}`,
  });
}

/** Builds the Deno.Command options for one call; pure, exported for tests. */
export function commandOptions(args: readonly string[], options: ExecOptions): Deno.CommandOptions {
  const piped = options.inheritStdio !== true;
  const opts: Deno.CommandOptions = {
    args: [...args],
    stdin: options.stdin === undefined ? (piped ? "null" : "inherit") : "piped",
    stdout: piped ? "piped" : "inherit",
    stderr: piped ? "piped" : "inherit",
  };
  if (options.cwd !== undefined) opts.cwd = options.cwd;
  if (options.clearEnv === true) {
    opts.clearEnv = true;
    opts.env = { PATH: Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...options.env };
  } else if (options.env !== undefined) {
    opts.env = options.env;
  }
  if (options.signal !== undefined) opts.signal = options.signal;
  return opts;
}

/** One line of the program's stderr suitable for an error message (last non-empty line). */
export function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.at(-1) ?? "";
}

/**
 * Runs `program` with `args` and waits for it.
 * @throws ParaduxError `missing-tool` when not installed or not permitted, `tool-failed` on failure.
 */
export async function exec(
  program: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const child = spawn(program, commandOptions(args, options));
  if (options.stdin !== undefined) {
    const bytes = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    const writer = child.stdin.getWriter();
    try {
      await writer.write(bytes);
      await writer.close();
    } catch {
      // The program exited without reading all of stdin; its exit code tells the story.
    }
  }
  const out = await child.output();
  const code = out.signal === null ? out.code : 128 + signalNumber(out.signal);
  const result: ExecResult = {
    code,
    stdout: options.inheritStdio === true ? new Uint8Array() : out.stdout,
    stderr: options.inheritStdio === true ? new Uint8Array() : out.stderr,
  };
  const ok = code === 0 || (options.okCodes ?? []).includes(code);
  if (!ok && options.check !== false) {
    const detail = lastLine(stderrText(result)) || lastLine(stdoutText(result));
    throw new ParaduxError(
      "tool-failed",
      `${program} failed (exit ${code})${detail === "" ? "" : `: ${detail}`}`,
      { hint: "run again with --verbose for the full output" },
    );
  }
  return result;
}

/** Starts a program; a missing or forbidden program becomes a `missing-tool` error. */
function spawn(program: string, options: Deno.CommandOptions): Deno.ChildProcess {
  try {
    return new Deno.Command(program, options).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw missingTool(program);
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new ParaduxError("missing-tool", `paradux is not allowed to run ${program}`, {
        hint: "only the programs listed in deno.json's permission set 'paradux' may be run",
        cause: e,
      });
    }
    throw e;
  }
}

/**
 * Runs `program` and hands each stdout line (ended by `\n` or `\r`, for progress meters) to
 * `onLine` as it arrives; returns the whole result without checking the exit code.
 * `options.stdin` and `inheritStdio` do not apply.
 */
export async function execLines(
  program: string,
  args: readonly string[],
  options: ExecOptions,
  onLine: (line: string) => void,
): Promise<ExecResult> {
  const child = spawn(program, { ...commandOptions(args, options), stdin: "null" });
  const stderr = new Response(child.stderr).arrayBuffer();
  const decoder = new TextDecoder();
  let text = "";
  let pending = "";
  for await (const chunk of child.stdout) {
    const piece = decoder.decode(chunk, { stream: true });
    text += piece;
    const lines = (pending + piece).split(/[\r\n]/);
    pending = lines.pop() ?? "";
    for (const line of lines) if (line !== "") onLine(line);
  }
  if (pending !== "") onLine(pending);
  const status = await child.status;
  return {
    code: status.signal === null ? status.code : 128 + signalNumber(status.signal),
    stdout: new TextEncoder().encode(text),
    stderr: new Uint8Array(await stderr),
  };
}

/** True when `program` can be found on PATH (does not run it). */
export function hasTool(program: string): boolean {
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(`${dir}/${program}`);
      if (info.isFile && info.mode !== null && (info.mode & 0o111) !== 0) return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function signalNumber(signal: Deno.Signal): number {
  const numbers: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 0;
}

/** A running program whose stdin/stdout are streams (for data that must not sit in memory). */
export interface StreamingProcess {
  /** The program's stdout (present unless `stdout: "null"`). */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The program's stdin (present when `stdin: "piped"`). */
  readonly stdin: WritableStream<Uint8Array>;
  /** Waits for exit; throws `tool-failed` with the stderr's last line on a non-zero exit. */
  finished(): Promise<void>;
  /** Sends SIGTERM. */
  kill(): void;
}

/** Options for {@link spawnStreaming}. */
export interface StreamingOptions {
  /** Pipe stdin (default: null). */
  stdin?: "piped" | "null";
  /** Pipe stdout (default) or discard it. */
  stdout?: "piped" | "null";
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables (merged into the inherited environment unless `clearEnv`). */
  env?: Record<string, string>;
  /** Start from an empty environment (PATH is still passed). */
  clearEnv?: boolean;
  /** The error `finished()` throws on a non-zero exit (default: `tool-failed` naming stderr). */
  failure?: (result: ExecResult) => Error;
}

/** Starts `program` with streaming stdin/stdout; stderr is collected for the error message. */
export function spawnStreaming(
  program: string,
  args: readonly string[],
  options: StreamingOptions = {},
): StreamingProcess {
  const { stdin, stdout, failure, ...rest } = options;
  const child = spawn(program, {
    ...commandOptions(args, rest),
    stdin: stdin ?? "null",
    stdout: stdout ?? "piped",
    stderr: "piped",
  });
  const stderr = new Response(child.stderr).arrayBuffer();
  return {
    get stdout() {
      return child.stdout;
    },
    get stdin() {
      return child.stdin;
    },
    async finished() {
      const status = await child.status;
      const err = new Uint8Array(await stderr);
      if (status.success) return;
      const code = status.signal === null ? status.code : 128 + signalNumber(status.signal);
      if (failure !== undefined) throw failure({ code, stdout: new Uint8Array(), stderr: err });
      const detail = lastLine(decoder.decode(err));
      throw new ParaduxError(
        "tool-failed",
        `${program} failed (exit ${code})${detail === "" ? "" : `: ${detail}`}`,
      );
    },
    kill() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
    },
  };
}
