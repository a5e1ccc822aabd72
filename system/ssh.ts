/**
 * ssh: pure argument builders, safe remote commands, and the key files a connection needs.
 *
 * A connection uses only what the location gives: its private key and pinned host key, written
 * 0600 into the private directory (never argv), `-F /dev/null` so no user config interferes,
 * `StrictHostKeyChecking=yes` against a known_hosts file holding just the pinned key under a
 * fixed alias (so the host name or port in the URL does not have to match the line), and
 * `BatchMode=yes` + `ConnectTimeout` so an unreachable host fails instead of hanging or asking.
 *
 * The remote side parses a command as a shell string, so remote commands are built with
 * {@link remoteScript}: a fixed `sh -c` script whose paths arrive as single-quoted positional
 * arguments.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { exec, type ExecResult, lastLine, stderrText } from "./exec.ts";

/** Where to connect. */
export interface SshTarget {
  /** Host name or address (no brackets). */
  host: string;
  /** Port (default 22). */
  port?: number;
  /** User to log in as (default: ssh's default, the local user). */
  user?: string;
}

/** The files a connection reads. */
export interface SshFiles {
  /** The private key file (0600). */
  keyFile: string;
  /** A known_hosts file holding only the pinned host key(s). */
  knownHostsFile: string;
  /** Socket path for connection sharing (one login for all the commands of an operation). */
  controlPath?: string;
}

/** Seconds an idle shared connection stays open (it is also closed explicitly). */
export const CONTROL_PERSIST = 60;

/** The alias the pinned host key is stored under (`HostKeyAlias`). */
export const PINNED_ALIAS = "paradux-pinned-host";

/** Seconds to wait for a TCP connection. */
export const CONNECT_TIMEOUT = 10;

/** The ssh options every Paradux connection uses (pure). */
export function sshOptions(files: SshFiles, port?: number): string[] {
  const o = (kv: string) => ["-o", kv];
  return [
    "-F",
    "/dev/null",
    "-i",
    files.keyFile,
    ...o("IdentitiesOnly=yes"),
    ...o(`UserKnownHostsFile=${files.knownHostsFile}`),
    ...o("GlobalKnownHostsFile=/dev/null"),
    ...o("StrictHostKeyChecking=yes"),
    ...o(`HostKeyAlias=${PINNED_ALIAS}`),
    ...o("BatchMode=yes"),
    ...o(`ConnectTimeout=${CONNECT_TIMEOUT}`),
    ...o("ServerAliveInterval=15"),
    ...o("ServerAliveCountMax=4"),
    ...o("LogLevel=ERROR"),
    ...(files.controlPath === undefined ? [] : [
      ...o("ControlMaster=auto"),
      ...o(`ControlPath=${files.controlPath}`),
      ...o(`ControlPersist=${CONTROL_PERSIST}`),
    ]),
    "-p",
    String(port ?? 22),
  ];
}

/** `user@host` or `host`. */
export function sshDestination(target: SshTarget): string {
  return target.user === undefined || target.user === ""
    ? target.host
    : `${target.user}@${target.host}`;
}

/** The remote shell for rsync's `-e`: `ssh` plus {@link sshOptions} (pure). */
export function sshCommand(files: SshFiles, port?: number): string[] {
  return ["ssh", ...sshOptions(files, port)];
}

/** Arguments for running `remoteCommand` (one shell string) on the target (pure). */
export function sshArgs(target: SshTarget, files: SshFiles, remoteCommand: string): string[] {
  return [...sshOptions(files, target.port), "--", sshDestination(target), remoteCommand];
}

/** Quotes one word for a POSIX shell. */
export function shQuote(s: string): string {
  if (s.includes("\0")) throw new ParaduxError("input", "a path cannot contain a NUL byte");
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A remote command running `script` with `sh -c`, each arg a quoted positional parameter. */
export function remoteScript(script: string, args: readonly string[] = []): string {
  return ["sh", "-c", shQuote(script), "sh", ...args.map(shQuote)].join(" ");
}

/**
 * The known_hosts text for a pinned host key given as known_hosts lines or bare public keys
 * (`ssh-ed25519 AAAA...`): every key is stored under {@link PINNED_ALIAS}.
 * @throws ParaduxError `input` when no key is found.
 */
export function knownHostsText(hostKey: string): string {
  const out: string[] = [];
  for (const raw of hostKey.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("@")) continue;
    const words = line.split(/\s+/);
    const i = words.findIndex((w) => /^(ssh-|ecdsa-|sk-)/.test(w));
    const type = words[i];
    const key = words[i + 1];
    if (i < 0 || type === undefined || key === undefined || !/^[A-Za-z0-9+/]+=*$/.test(key)) {
      continue;
    }
    out.push(`${PINNED_ALIAS} ${type} ${key}`);
  }
  if (out.length === 0) {
    throw new ParaduxError("input", "the host key is not a known_hosts line or public key", {
      hint: "use a line from `ssh-keyscan HOST` or the server's /etc/ssh/ssh_host_*_key.pub",
    });
  }
  return out.join("\n") + "\n";
}

/** Problems with a private key text (empty = looks usable). */
export function privateKeyProblems(key: string): string[] {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key) &&
      /-----END [A-Z ]*PRIVATE KEY-----/.test(key)
    ? []
    : ["sshKey is not a private key (expected -----BEGIN ... PRIVATE KEY-----)"];
}

/** The private key text as ssh wants it: LF line ends and a final newline. */
export function normalizePrivateKey(key: string): string {
  const text = key.replace(/\r\n/g, "\n").trim();
  return text + "\n";
}

/** Key files written for one connection; `remove()` deletes them. */
export interface WrittenSshFiles extends SshFiles {
  /** Deletes the files. */
  remove(): Promise<void>;
}

/** Writes the private key and pinned host key as 0600 files in a fresh dir under `privateDir`. */
export async function writeSshFiles(
  privateDir: string,
  privateKey: string,
  hostKey: string,
): Promise<WrittenSshFiles> {
  const knownHosts = knownHostsText(hostKey);
  const dir = await Deno.makeTempDir({ dir: privateDir, prefix: "ssh-" });
  await Deno.chmod(dir, 0o700);
  const keyFile = join(dir, "id");
  const knownHostsFile = join(dir, "known_hosts");
  await Deno.writeTextFile(keyFile, normalizePrivateKey(privateKey), { mode: 0o600 });
  await Deno.writeTextFile(knownHostsFile, knownHosts, { mode: 0o600 });
  const controlPath = join(dir, "cm");
  return {
    keyFile,
    knownHostsFile,
    // Unix socket paths are short; without sharing every command logs in anew.
    ...(controlPath.length <= 90 ? { controlPath } : {}),
    remove: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

/** Arguments that ask a shared connection's master to exit (pure). */
export function stopMasterArgs(target: SshTarget, files: SshFiles): string[] {
  return [...sshOptions(files, target.port), "-O", "exit", "--", sshDestination(target)];
}

/** Closes the shared connection, if one was started (never fails). */
export async function stopMaster(target: SshTarget, files: SshFiles): Promise<void> {
  if (files.controlPath === undefined) return;
  try {
    await Deno.lstat(files.controlPath);
  } catch {
    return; // no master was started
  }
  await exec("ssh", stopMasterArgs(target, files), { check: false });
}

/** Options for {@link runSsh}. */
export interface RunSshOptions {
  /** Bytes for the remote command's stdin. */
  stdin?: Uint8Array | string;
  /** Aborts the connection. */
  signal?: AbortSignal;
  /** Exit codes of the remote command that are not failures. */
  okCodes?: readonly number[];
}

/** The best line of a failed ssh's stderr. */
export function sshFailureDetail(stderr: string): string {
  return lastLine(stderr);
}

/**
 * Runs `remoteCommand` on the target. Exit 255 (connection, auth or host key problem) and
 * other non-ok exits become `tool-failed`.
 */
export async function runSsh(
  target: SshTarget,
  files: SshFiles,
  remoteCommand: string,
  options: RunSshOptions = {},
): Promise<ExecResult> {
  const result = await exec("ssh", sshArgs(target, files, remoteCommand), {
    check: false,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (options.signal?.aborted === true) {
    throw new ParaduxError("interrupted", "the transfer was interrupted");
  }
  if (result.code === 0 || (options.okCodes ?? []).includes(result.code)) return result;
  const detail = sshFailureDetail(stderrText(result));
  const where = `${sshDestination(target)}:${target.port ?? 22}`;
  throw new ParaduxError(
    "tool-failed",
    result.code === 255
      ? `cannot reach ${where} over ssh${detail === "" ? "" : `: ${detail}`}`
      : `remote command on ${where} failed (exit ${result.code})${
        detail === "" ? "" : `: ${detail}`
      }`,
    { hint: "check the host, port, user, key and pinned host key of the location" },
  );
}
