/**
 * rsync: pure argument builders, `--stats` parsing, and one runner.
 *
 * Every copy uses `-aHS --numeric-ids`: permissions, times, symlinks, devices, hard links,
 * sparse files and empty directories survive, owners are kept by number. Mirrors add `--delete`,
 * snapshots add `--link-dest` so unchanged files are hard links to the previous snapshot.
 * A remote shell is given as an argument array and turned into rsync's `-e` string with quoting
 * rsync understands; remote paths are protected by rsync itself (3.2.4+ escapes them for the
 * remote shell by default).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import {
  exec,
  execLines,
  type ExecOptions,
  type ExecResult,
  lastLine,
  stderrText,
  stdoutText,
} from "./exec.ts";

/** Options for {@link rsyncArgs}. */
export interface RsyncArgsOptions {
  /** Delete files at the destination that are not at the source (`--delete`). */
  mirror?: boolean;
  /** Hard-link unchanged files to this directory (`--link-dest`; relative = to the destination). */
  linkDest?: string;
  /** The remote shell as an argument array (e.g. the output of `sshCommand`). */
  remoteShell?: readonly string[];
  /** Only the file's contents and times, no owner/group (for single metadata files). */
  singleFile?: boolean;
  /** Compress on the wire (`-z`; worth it over networks, and for sparse files over ssh). */
  compress?: boolean;
  /** Report overall progress on stdout (`--info=progress2`, parsed by {@link runRsync}). */
  progress?: boolean;
  /**
   * `--insecure-links`: skip rsync's per-file symlink-safe walk of the destination and
   * `--link-dest` paths. Only for paths {@link privateTree} (system/trusted_path.ts) vouched for,
   * where the walk cannot find anything a plain open would not, and only with an rsync that has
   * the option.
   */
  insecureLinks?: boolean;
}

/** The base flags every Paradux rsync run uses for trees. */
export const TREE_FLAGS: readonly string[] = ["-aHS", "--numeric-ids"];

/** Arguments for one rsync run from `src` to `dest` (pure). */
export function rsyncArgs(src: string, dest: string, options: RsyncArgsOptions = {}): string[] {
  const args = options.singleFile === true ? ["-t", "--chmod=F600"] : [...TREE_FLAGS];
  args.push("--stats");
  if (options.compress === true) args.push("-z");
  if (options.progress === true) args.push("--info=progress2");
  if (options.mirror === true) args.push("--delete");
  if (options.linkDest !== undefined) args.push(`--link-dest=${options.linkDest}`);
  if (options.insecureLinks === true) args.push("--insecure-links");
  if (options.remoteShell !== undefined) args.push("-e", remoteShellString(options.remoteShell));
  args.push("--", src, dest);
  return args;
}

/**
 * Joins an argument array into rsync's `-e` string: rsync splits it on spaces and honours
 * single and double quotes (no backslashes), so an argument with both quote kinds is refused.
 */
export function remoteShellString(argv: readonly string[]): string {
  return argv.map((a) => {
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a)) return a;
    if (!a.includes("'")) return `'${a}'`;
    if (!a.includes('"')) return `"${a}"`;
    throw new ParaduxError("input", `cannot pass ${JSON.stringify(a)} to rsync's remote shell`);
  }).join(" ");
}

/** What `--stats` reported. */
export interface RsyncStats {
  /** Files (of every kind) in the transferred tree. */
  files: number;
  /** Bytes of file data transferred (unchanged, hard-linked files do not count). */
  bytes: number;
  /** Total size of the files in the tree. */
  totalBytes: number;
}

function statNumber(text: string, label: string): number {
  const m = new RegExp(`^${label}: ([\\d,.]+)`, "m").exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1].replace(/[,.]/g, ""));
}

/** The `dir: N` part of `Number of files: T (reg: R, dir: N, ...)`. */
function dirCount(text: string): number {
  const m = /^Number of files: .*\bdir: ([\d,.]+)/m.exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1].replace(/[,.]/g, ""));
}

/**
 * Parses rsync's `--stats` block (numbers may have thousands separators); `files` counts what
 * is not a directory, like every protocol.
 */
export function parseStats(stdout: string): RsyncStats {
  return {
    files: statNumber(stdout, "Number of files") - dirCount(stdout),
    bytes: statNumber(stdout, "Total transferred file size"),
    totalBytes: statNumber(stdout, "Total file size"),
  };
}

/** One `--info=progress2` reading. */
export interface RsyncProgress {
  /** Bytes done so far. */
  bytes: number;
  /** Estimated total bytes (from the percentage), when known. */
  totalBytes?: number;
}

/** Parses one `--info=progress2` line (`  1,234,567  45%  10.00MB/s  0:00:01 (xfr#3, ...)`). */
export function parseProgressLine(line: string): RsyncProgress | undefined {
  const m = /^\s*([\d,.]+)\s+(\d{1,3})%/.exec(line);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  const bytes = Number(m[1].replace(/[,.]/g, ""));
  const pct = Number(m[2]);
  return pct > 0 ? { bytes, totalBytes: Math.round((bytes * 100) / pct) } : { bytes };
}

/** True when rsync failed because the source path does not exist. */
export function isMissingSource(stderr: string): boolean {
  return /(change_dir|link_stat) .* failed: No such file or directory/.test(stderr);
}

/** The most telling line of a failed rsync's stderr (an ssh complaint beats rsync's summary). */
export function failureDetail(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const telling = lines.find((l) =>
    /^ssh:|Permission denied|Host key verification failed|REMOTE HOST IDENTIFICATION|No such file|Connection (refused|closed|timed out)|Could not resolve|No space left/
      .test(l)
  );
  return telling ?? lastLine(stderr);
}

/** Options for {@link runRsync}. */
export interface RunRsyncOptions {
  /** Aborts the transfer (rsync gets SIGTERM). */
  signal?: AbortSignal;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Exit codes that count as success besides 0 (e.g. 24: files vanished during a pull). */
  okCodes?: readonly number[];
  /** Called with `--info=progress2` readings (pass args built with `progress: true`). */
  onProgress?: (p: RsyncProgress) => void;
}

/** A failed rsync run, for callers that want to classify it. */
export class RsyncFailure extends ParaduxError {
  /** The run's result. */
  readonly result: ExecResult;
  constructor(result: ExecResult) {
    const detail = failureDetail(stderrText(result));
    super(
      "tool-failed",
      `rsync failed (exit ${result.code})${detail === "" ? "" : `: ${detail}`}`,
      {
        hint: "check that the location is reachable and writable",
      },
    );
    this.result = result;
  }
}

/** Runs rsync with `args` (from {@link rsyncArgs}) and returns its `--stats`. */
export async function runRsync(
  args: readonly string[],
  options: RunRsyncOptions = {},
): Promise<RsyncStats> {
  const execOptions: ExecOptions = {
    check: false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  const onProgress = options.onProgress;
  const result = onProgress === undefined
    ? await exec("rsync", args, execOptions)
    : await execLines("rsync", args, execOptions, (line) => {
      const p = parseProgressLine(line);
      if (p !== undefined) onProgress(p);
    });
  if (options.signal?.aborted === true) {
    throw new ParaduxError("interrupted", "the transfer was interrupted");
  }
  if (result.code !== 0 && !(options.okCodes ?? []).includes(result.code)) {
    throw new RsyncFailure(result);
  }
  return parseStats(stdoutText(result));
}
