/**
 * Runs the Paradux CLI as a subprocess with exactly the permissions the compiled binary gets
 * (the `paradux` permission set in deno.json), for end-to-end tests.
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** What one CLI run produced. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/** Options for {@link runCli}. */
export interface CliOptions {
  /** Bytes or text for stdin (for passphrases); stdin is closed after. */
  stdin?: string | Uint8Array;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Repository root to run (a temp copy in codegen tests). */
  root?: string;
  /** Run the test entry point tests/e2e/cheap_kdf_main.ts (cheap KDFs for new keyslots and
   * paper backups) instead of main.ts; the permissions stay the same. */
  cheapKdf?: boolean;
  /** Another test entry point under `root` (e.g. tests/e2e/broken_path_main.ts). */
  entry?: string;
}

/** The entry point {@link runCli} runs under `root`. */
export function entryPoint(root: string, cheapKdf: boolean): string {
  return cheapKdf ? join(root, "tests", "e2e", "cheap_kdf_main.ts") : join(root, "main.ts");
}

/** The `deno run -P=paradux` command of `paradux ARGS` (stdout and stderr piped). */
function cliCommand(args: readonly string[], options: CliOptions): Deno.Command {
  const root = options.root ?? ROOT;
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "-P=paradux",
      "--config",
      join(root, "deno.json"),
      options.entry === undefined
        ? entryPoint(root, options.cheapKdf === true)
        : join(root, options.entry),
      ...args,
    ],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
}

/** Starts `paradux ARGS` (no stdin) and returns the running child, for tests that signal it. */
export function runCliChild(
  args: readonly string[],
  options: Omit<CliOptions, "stdin"> = {},
): Deno.ChildProcess {
  return cliCommand(args, options).spawn();
}

/** Runs `paradux ARGS` under `deno run -P=paradux` and collects the result. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const child = cliCommand(args, options).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(
      typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
    );
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
