/**
 * rclone: a generated config file, pure argument builders, and runners.
 *
 * Paradux never uses the user's rclone config: every run gets `--config FILE`, a 0600 file in
 * the private directory holding one remote named {@link REMOTE} (see {@link rcloneConfigText}).
 * Secrets live only in that file (an FTP password in rclone's obscured form, made by
 * {@link obscure} the way `rclone obscure` makes it). rclone's environment never contains
 * `AWS_CA_BUNDLE`: rclone 1.60 refuses to start an s3 remote when it is set ("unable to load
 * custom CA bundle"), and a test CA is given with `--ca-cert` instead.
 * @module
 */
import { Buffer } from "node:buffer";
import { fromHex } from "../crypto/hashes.ts";
import { ParaduxError } from "../errors.ts";
import {
  exec,
  type ExecResult,
  lastLine,
  spawnStreaming,
  stderrText,
  stdoutText,
  type StreamingProcess,
} from "./exec.ts";

/** The name of the one remote in a generated config. */
export const REMOTE = "paradux";

/** rclone's exit code for "directory not found". */
export const EXIT_DIR_NOT_FOUND = 3;
/** rclone's exit code for "file not found". */
export const EXIT_FILE_NOT_FOUND = 4;

/** Environment variables removed from rclone's environment. */
export const DROPPED_ENV: readonly string[] = ["AWS_CA_BUNDLE", "RCLONE_CONFIG"];

/** The rclone config text for one remote named {@link REMOTE} (pure). */
export function rcloneConfigText(type: string, options: Readonly<Record<string, string>>): string {
  const lines = [`[${REMOTE}]`, `type = ${type}`];
  for (const [key, value] of Object.entries(options)) {
    if (!/^[a-z_]+$/.test(key)) throw new Error(`bad rclone option name ${key}`);
    if (/[\r\n]/.test(value) || value !== value.trim()) {
      throw new ParaduxError("input", `the ${key.replaceAll("_", " ")} cannot be used by rclone`, {
        hint: "it must be one line without leading or trailing spaces",
      });
    }
    lines.push(`${key} = ${value}`);
  }
  return lines.join("\n") + "\n";
}

/** What an s3 remote needs. */
export interface S3RemoteOptions {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Endpoint URL for S3-compatible services (absent: AWS). */
  endpoint?: string;
  /** Region (default `us-east-1`). */
  region?: string;
}

/** The config options of an s3 remote (pure). */
export function s3RemoteOptions(o: S3RemoteOptions): Record<string, string> {
  const out: Record<string, string> = {
    provider: o.endpoint === undefined ? "AWS" : "Other",
    env_auth: "false",
    access_key_id: o.accessKeyId,
    secret_access_key: o.secretAccessKey,
    region: o.region ?? "us-east-1",
  };
  if (o.endpoint !== undefined) {
    out.endpoint = o.endpoint;
    out.force_path_style = "true";
  }
  return out;
}

/** What an ftp remote needs. */
export interface FtpRemoteOptions {
  /** Host name or address. */
  host: string;
  /** Port (default 21). */
  port?: number;
  /** User name. */
  user: string;
  /** The password in rclone's obscured form (see {@link obscure}). */
  obscuredPassword: string;
}

/** The config options of an ftp remote (pure). */
export function ftpRemoteOptions(o: FtpRemoteOptions): Record<string, string> {
  return {
    host: o.host,
    port: String(o.port ?? 21),
    user: o.user,
    pass: o.obscuredPassword,
  };
}

/** `paradux:PATH`, the remote path rclone takes (pure). */
export function remotePath(path: string): string {
  return `${REMOTE}:${path}`;
}

/** Options every run gets. */
export interface RcloneGlobal {
  /** The generated config file. */
  configFile: string;
  /** A PEM file of extra CA certificates (`--ca-cert`). */
  caCertFile?: string;
}

/**
 * The flags every run gets (pure): the config, one high-level try (transfers still get rclone's
 * low-level retries), a connect timeout so a dead server fails fast, and no stats output.
 */
export function rcloneGlobalArgs(g: RcloneGlobal): string[] {
  const args = [
    "--config",
    g.configFile,
    "--retries",
    "1",
    "--low-level-retries",
    "3",
    "--contimeout",
    "10s",
    "--timeout",
    "5m",
  ];
  if (g.caCertFile !== undefined) args.push("--ca-cert", g.caCertFile);
  return args;
}

/** Arguments that copy one file to a new name, always transferring (pure). */
export function copytoArgs(g: RcloneGlobal, src: string, dest: string): string[] {
  return ["copyto", ...rcloneGlobalArgs(g), "--ignore-times", "--", src, dest];
}

/** Arguments that move one file to a new name, replacing what is there (pure). */
export function movetoArgs(g: RcloneGlobal, src: string, dest: string): string[] {
  return ["moveto", ...rcloneGlobalArgs(g), "--ignore-times", "--", src, dest];
}

/** Arguments that copy a directory's files into another (pure). */
export function copyArgs(g: RcloneGlobal, src: string, dest: string): string[] {
  return ["copy", ...rcloneGlobalArgs(g), "--", src, dest];
}

/** Arguments that upload stdin as the file `dest` (pure). */
export function rcatArgs(g: RcloneGlobal, dest: string): string[] {
  return ["rcat", ...rcloneGlobalArgs(g), "--", dest];
}

/** Arguments that write the file `src` to stdout (pure). */
export function catArgs(g: RcloneGlobal, src: string): string[] {
  return ["cat", ...rcloneGlobalArgs(g), "--", src];
}

/**
 * Arguments that print every file matching the rclone filter `include` under `root`, one after
 * the other (pure); e.g. `/*\/.complete` for the markers one level down.
 */
export function catMatchingArgs(g: RcloneGlobal, root: string, include: string): string[] {
  return ["cat", ...rcloneGlobalArgs(g), "--include", include, "--", root];
}

/** Options of {@link lsfArgs}. */
export interface LsfOptions {
  /** Only directories (names end with `/`). */
  dirsOnly?: boolean;
  /** Only files. */
  filesOnly?: boolean;
  /** Recurse this deep (`-R --max-depth N`). */
  maxDepth?: number;
  /** `--format` letters, e.g. `ps` for `path;size` lines. */
  format?: string;
}

/** Arguments that list names under `path`, one per line (pure). */
export function lsfArgs(g: RcloneGlobal, path: string, o: LsfOptions = {}): string[] {
  const args = ["lsf", ...rcloneGlobalArgs(g)];
  if (o.dirsOnly === true) args.push("--dirs-only");
  if (o.filesOnly === true) args.push("--files-only");
  if (o.maxDepth !== undefined) args.push("-R", "--max-depth", String(o.maxDepth));
  if (o.format !== undefined) args.push("--format", o.format);
  args.push("--", path);
  return args;
}

/** Arguments that remove a directory and everything in it (pure). */
export function purgeArgs(g: RcloneGlobal, path: string): string[] {
  return ["purge", ...rcloneGlobalArgs(g), "--", path];
}

/** Arguments that delete one file (pure). */
export function deletefileArgs(g: RcloneGlobal, path: string): string[] {
  return ["deletefile", ...rcloneGlobalArgs(g), "--", path];
}

/** The environment for rclone: `env` without {@link DROPPED_ENV} (pure). */
export function rcloneEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (!DROPPED_ENV.includes(k)) out[k] = v;
  return out;
}

function childEnv(): Record<string, string> {
  return rcloneEnv(Deno.env.toObject());
}

/** Options for {@link runRclone}. */
export interface RunRcloneOptions {
  /** Bytes for stdin. */
  stdin?: Uint8Array | string;
  /** Aborts the run. */
  signal?: AbortSignal;
}

/** Runs rclone and returns its result whatever the exit code (see {@link rcloneFailure}). */
export async function runRclone(
  args: readonly string[],
  options: RunRcloneOptions = {},
): Promise<ExecResult> {
  const result = await exec("rclone", args, {
    check: false,
    clearEnv: true,
    env: childEnv(),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (options.signal?.aborted === true) {
    throw new ParaduxError("interrupted", "the transfer was interrupted");
  }
  return result;
}

/** True when rclone's exit code means the path does not exist. */
export function isNotFound(code: number): boolean {
  return code === EXIT_DIR_NOT_FOUND || code === EXIT_FILE_NOT_FOUND;
}

/** The error for a failed rclone run doing `what`: `not-found` for exit 3/4, else `tool-failed`. */
export function rcloneFailure(result: ExecResult, what: string): ParaduxError {
  const detail = lastLine(stderrText(result)).replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, "");
  if (isNotFound(result.code)) return new ParaduxError("not-found", `${what}: not found`);
  return new ParaduxError(
    "tool-failed",
    `${what} failed (rclone exit ${result.code})${detail === "" ? "" : `: ${detail}`}`,
    { hint: "check the location's address and credentials, and that the server is up" },
  );
}

/** Runs rclone; throws {@link rcloneFailure} unless it succeeds. Returns stdout as text. */
export async function rclone(
  args: readonly string[],
  what: string,
  options: RunRcloneOptions = {},
): Promise<string> {
  const result = await runRclone(args, options);
  if (result.code !== 0) throw rcloneFailure(result, what);
  return stdoutText(result);
}

/**
 * The fixed key of rclone's config obscuring (rclone fs/config/obscure/obscure.go): obscuring is
 * not encryption, it only keeps a password from being read at a glance; the 0600 file protects it.
 */
const OBSCURE_KEY = new Uint8Array(
  fromHex("9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638"),
); // an ArrayBuffer-backed copy for WebCrypto

/**
 * A password in rclone's obscured config form, as `rclone obscure` makes it (a random 16-byte IV,
 * then the UTF-8 password under AES-256-CTR with {@link OBSCURE_KEY}, base64url without padding),
 * computed here: one rclone start-up less per FTP run. `rclone reveal` gives the password back.
 */
export async function obscure(password: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", OBSCURE_KEY, "AES-CTR", false, ["encrypt"]);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-CTR", counter: iv, length: 128 },
    key,
    new TextEncoder().encode(password),
  );
  return Buffer.concat([iv, new Uint8Array(sealed)]).toString("base64url");
}

/** Starts rclone with streaming stdin (`rcat`) or stdout (`cat`). */
export function spawnRclone(
  args: readonly string[],
  what: string,
  io: { stdin: "piped" | "null"; stdout: "piped" | "null" },
): StreamingProcess {
  return spawnStreaming("rclone", args, {
    ...io,
    clearEnv: true,
    env: childEnv(),
    failure: (result) => rcloneFailure(result, what),
  });
}
