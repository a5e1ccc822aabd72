/**
 * restic: pure argument builders, JSON output parsing, and runners.
 *
 * Every run names its repository with `--repository-file` and its password with
 * `--password-file` (both 0600 files in the private directory, so neither a repository URL with
 * a REST password nor the repository password ever reaches argv), runs with `--no-cache` (no
 * cache to grow or leak outside the private directory), and gets an environment without any
 * `RESTIC_*` or `AWS_*` variable of the caller; S3 keys are added to the child's environment
 * only. sftp repositories connect through `-o sftp.command=ssh ...` built from the pinned-key
 * ssh options of system/ssh.ts (file paths only, no secret).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import {
  exec,
  execLines,
  type ExecOptions,
  type ExecResult,
  lastLine,
  spawnStreaming,
  stderrText,
  stdoutText,
  type StreamingProcess,
} from "./exec.ts";

/** What every restic run needs. */
export interface ResticGlobal {
  /** File holding the repository string (`/path`, `sftp:...`, `s3:...`, `rest:...`). */
  repositoryFile: string;
  /** File holding the repository password. */
  passwordFile: string;
  /** PEM file with extra CA certificates (`--cacert`). */
  caCertFile?: string;
  /** The ssh command for sftp repositories (see {@link sftpCommandString}). */
  sftpCommand?: string;
}

/** The flags every run gets (pure). */
export function resticGlobalArgs(g: ResticGlobal): string[] {
  const args = ["--repository-file", g.repositoryFile, "--password-file", g.passwordFile];
  args.push("--no-cache");
  if (g.caCertFile !== undefined) args.push("--cacert", g.caCertFile);
  if (g.sftpCommand !== undefined) args.push("-o", csvField(`sftp.command=${g.sftpCommand}`));
  return args;
}

/**
 * restic reads `-o` values as CSV (a string-slice flag): a value with a quote or comma is
 * wrapped in quotes with inner quotes doubled (pure).
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Joins an ssh argument array for `-o sftp.command=` (restic splits it on spaces and honours
 * double quotes); arguments with quotes or backslashes are refused (pure).
 */
export function sftpCommandString(argv: readonly string[]): string {
  return argv.map((a) => {
    if (/["\\'`$]/.test(a) || a === "") {
      throw new ParaduxError("input", `cannot pass ${JSON.stringify(a)} to restic's sftp command`);
    }
    return /\s/.test(a) ? `"${a}"` : a;
  }).join(" ");
}

/** `restic init` (pure). */
export function initArgs(g: ResticGlobal): string[] {
  return ["init", ...resticGlobalArgs(g)];
}

/** `restic cat config`: succeeds only when the repository exists and the password opens it. */
export function catConfigArgs(g: ResticGlobal): string[] {
  return ["cat", "config", ...resticGlobalArgs(g)];
}

/** Backs up the working directory's contents (run with `cwd` = the tree) (pure). */
export function backupArgs(g: ResticGlobal, tag: string): string[] {
  return ["backup", ...resticGlobalArgs(g), "--json", "--tag", tag, "."];
}

/** Backs up stdin as the single file `/name` (pure). */
export function backupStdinArgs(g: ResticGlobal, tag: string, name: string): string[] {
  return [
    "backup",
    ...resticGlobalArgs(g),
    "--json",
    "--tag",
    tag,
    "--stdin",
    "--stdin-filename",
    name,
  ];
}

/** Lists the snapshots carrying `tag` as JSON (pure). */
export function snapshotsArgs(g: ResticGlobal, tag: string): string[] {
  return ["snapshots", ...resticGlobalArgs(g), "--json", "--tag", tag];
}

/** Keeps the newest `keep` snapshots carrying `tag` (all grouped together) and prunes (pure). */
export function forgetArgs(g: ResticGlobal, tag: string, keep: number): string[] {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new ParaduxError("input", `keep must be a positive whole number, not ${keep}`);
  }
  return [
    "forget",
    ...resticGlobalArgs(g),
    "--tag",
    tag,
    "--group-by",
    "",
    "--keep-last",
    String(keep),
    "--prune",
  ];
}

/**
 * `restic check`: the repository's structure, plus `readDataSubset` of the pack data read back
 * and verified (e.g. `10%`; restic 0.14 accepts `n/t`, a percentage or a size) (pure).
 */
export function checkArgs(g: ResticGlobal, readDataSubset?: string): string[] {
  return [
    "check",
    ...resticGlobalArgs(g),
    ...(readDataSubset === undefined ? [] : ["--read-data-subset", readDataSubset]),
  ];
}

/**
 * `restic unlock`: removes only STALE locks (older than 30 minutes, or made on this host by a
 * process that no longer exists); a live run's lock stays (pure).
 */
export function unlockArgs(g: ResticGlobal): string[] {
  return ["unlock", ...resticGlobalArgs(g)];
}

/** Restores snapshot `id` into `target` (pure). */
export function restoreArgs(g: ResticGlobal, id: string, target: string): string[] {
  return ["restore", ...resticGlobalArgs(g), "--target", target, "--", id];
}

/** Writes the file `/name` of the newest snapshot carrying `tag` to stdout (pure). */
export function dumpArgs(g: ResticGlobal, tag: string, name: string): string[] {
  return ["dump", ...resticGlobalArgs(g), "--tag", tag, "--", "latest", `/${name}`];
}

/** What a backup's JSON summary says. */
export interface BackupSummary {
  /** Snapshot id as printed (restic 0.14 prints the short id). */
  snapshotId: string;
  /** Files processed. */
  files: number;
  /** Bytes added to the repository (after deduplication and compression). */
  bytesAdded: number;
  /** Bytes read from the source. */
  bytesProcessed: number;
}

/** Parses the `summary` line of `restic backup --json` output. */
export function parseBackupSummary(stdout: string): BackupSummary {
  for (const line of stdout.split("\n").reverse()) {
    if (!line.trim().startsWith("{")) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const v = value as Record<string, unknown>;
    if (v.message_type !== "summary" || typeof v.snapshot_id !== "string") continue;
    const num = (x: unknown) => typeof x === "number" && Number.isFinite(x) ? x : 0;
    return {
      snapshotId: v.snapshot_id,
      files: num(v.total_files_processed),
      bytesAdded: num(v.data_added),
      bytesProcessed: num(v.total_bytes_processed),
    };
  }
  throw new ParaduxError("tool-failed", "restic backup printed no summary");
}

/** One snapshot as `restic snapshots --json` lists it. */
export interface ResticSnapshot {
  /** Full id (64 hex digits). */
  id: string;
  /** Short id (8 hex digits). */
  shortId: string;
  /** ISO 8601 time with nanoseconds, as restic prints it. */
  time: string;
  /** Tags. */
  tags: string[];
  /** Backed-up paths. */
  paths: string[];
}

/** Parses `restic snapshots --json` (`null` means none), oldest first. */
export function parseSnapshots(stdout: string): ResticSnapshot[] {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim() === "" ? "null" : stdout);
  } catch {
    throw new ParaduxError("tool-failed", "restic snapshots printed something that is not JSON");
  }
  if (value === null) return [];
  if (!Array.isArray(value)) throw new ParaduxError("tool-failed", "restic snapshots: not a list");
  const out: ResticSnapshot[] = [];
  for (const item of value) {
    const s = item as Record<string, unknown>;
    if (typeof s.id !== "string" || typeof s.time !== "string") continue;
    const strings = (x: unknown) =>
      Array.isArray(x) ? x.filter((t): t is string => typeof t === "string") : [];
    out.push({
      id: s.id,
      shortId: typeof s.short_id === "string" ? s.short_id : s.id.slice(0, 8),
      time: s.time,
      tags: strings(s.tags),
      paths: strings(s.paths),
    });
  }
  return out.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || compareNano(a.time, b.time));
}

function compareNano(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when restic failed because there is no repository (or bucket) at the location. */
export function isMissingRepository(stderr: string): boolean {
  return /unable to open config file: .*(no such file or directory|does not exist|NoSuchKey|NoSuchBucket)/i
    .test(stderr);
}

/** True when restic failed because another (possibly dead) run holds a lock on the repository. */
export function isLockedError(stderr: string): boolean {
  return /repository is already locked|unable to create lock/i.test(stderr);
}

/** The environment for restic: the caller's without RESTIC_* and AWS_*, plus `extra` (pure). */
export function resticEnv(
  env: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith("RESTIC_") && !k.startsWith("AWS_")) out[k] = v;
  }
  return { ...out, ...extra };
}

/** How restic is started: a clean environment with no stray RESTIC_ or AWS_ variables. */
function execOptions(options: RunResticOptions): ExecOptions {
  return {
    clearEnv: true,
    env: resticEnv(Deno.env.toObject(), options.env ?? {}),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

/** Options for {@link runRestic}. */
export interface RunResticOptions {
  /** Extra child environment (S3 keys). */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Aborts the run. */
  signal?: AbortSignal;
}

/** Runs restic and returns the result whatever the exit code. */
export async function runRestic(
  args: readonly string[],
  options: RunResticOptions = {},
): Promise<ExecResult> {
  const result = await exec("restic", args, { ...execOptions(options), check: false });
  if (options.signal?.aborted === true) {
    throw new ParaduxError("interrupted", "the transfer was interrupted");
  }
  return result;
}

/** The useful part of restic's stderr: the `Fatal:` line, plus what ssh said for sftp (pure). */
export function failureDetail(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const fatal = lines.findLast((l) => l.startsWith("Fatal: "))?.replace(/^Fatal: /, "");
  const ssh = lines.findLast((l) => l.startsWith("subprocess ssh: "))?.replace(
    /^subprocess ssh: (ssh: )?/,
    "",
  );
  const main = fatal ??
    lastLine(lines.filter((l) => !l.startsWith("Is there a repository")).join("\n"));
  return ssh === undefined ? main : `${main} (ssh: ${ssh})`;
}

/** A progress report parsed from one `backup --json` status line, or undefined (pure). */
export function parseBackupStatus(
  line: string,
): { bytes: number; totalBytes?: number; current?: string } | undefined {
  if (!line.startsWith("{")) return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (v.message_type !== "status") return undefined;
  const bytes = typeof v.bytes_done === "number" ? v.bytes_done : 0;
  const out: { bytes: number; totalBytes?: number; current?: string } = { bytes };
  if (typeof v.total_bytes === "number") out.totalBytes = v.total_bytes;
  const files = v.current_files;
  if (Array.isArray(files) && typeof files[0] === "string") out.current = files[0];
  return out;
}

/**
 * Runs restic like {@link runRestic} but hands each stdout line to `onLine` as it arrives
 * (for `backup --json` progress); stdout and stderr are also returned whole.
 */
export async function runResticLines(
  args: readonly string[],
  options: RunResticOptions,
  onLine: (line: string) => void,
): Promise<ExecResult> {
  const result = await execLines("restic", args, execOptions(options), onLine);
  if (options.signal?.aborted === true) {
    throw new ParaduxError("interrupted", "the transfer was interrupted");
  }
  return result;
}

/** The error for a failed restic run doing `what`. */
export function resticFailure(result: ExecResult, what: string): ParaduxError {
  const err = stderrText(result);
  const detail = failureDetail(err);
  if (/wrong password or no key found/.test(err)) {
    return new ParaduxError("auth", `${what}: the restic password does not open the repository`, {
      hint: "check the location's password credential",
    });
  }
  return new ParaduxError(
    "tool-failed",
    `${what} failed (restic exit ${result.code})${detail === "" ? "" : `: ${detail}`}`,
    { hint: "check the repository address, credentials and that the server is up" },
  );
}

/** Runs restic; throws {@link resticFailure} unless it succeeds; returns stdout. */
export async function restic(
  args: readonly string[],
  what: string,
  options: RunResticOptions = {},
): Promise<string> {
  const result = await runRestic(args, options);
  if (result.code !== 0) throw resticFailure(result, what);
  return stdoutText(result);
}

/** Starts restic with streaming stdin (`backup --stdin`) or stdout (`dump`). */
export function spawnRestic(
  args: readonly string[],
  io: { stdin: "piped" | "null"; stdout: "piped" | "null" },
  env: Record<string, string> = {},
): StreamingProcess {
  return spawnStreaming("restic", args, {
    ...io,
    clearEnv: true,
    env: resticEnv(Deno.env.toObject(), env),
  });
}
