/**
 * The `restic` protocol: any restic repository (local, sftp, s3, rest). restic encrypts,
 * deduplicates and keeps modes, symlinks and empty dirs itself, so this protocol stores no plain
 * files (`encrypt: true` does not apply) and is not a dataset source.
 *
 * URL: `restic:` followed by the repository exactly as restic writes it:
 * - `restic:/srv/backups/home` — a local directory (absolute path);
 * - `restic:sftp:USER@HOST:/path` or `restic:sftp://USER@HOST:PORT//path` — over ssh with the
 *   `sshKey` and pinned `hostKey` credentials (restic's `-o sftp.command=ssh ...` with key and
 *   known_hosts FILES from the private directory, `StrictHostKeyChecking=yes`; the restic runs
 *   of one operation share one ssh login, closed when the operation ends);
 * - `restic:s3:https://HOST:PORT/BUCKET/path` (or `restic:s3:s3.amazonaws.com/BUCKET/path`) with
 *   `accessKeyId`/`secretAccessKey` (given to restic's environment only) and optional `caCert`;
 * - `restic:rest:https://USER@HOST:PORT/path` with optional `restPassword` and `caCert`.
 * The repository password is the `password` credential. The repository string and password go
 * to restic as 0600 files (`--repository-file`, `--password-file`), so a REST password inside
 * the URL never reaches argv. Runs use `--no-cache`.
 *
 * Layout in the repository: one restic snapshot per push, tagged `paradux`, made with the tree
 * as the working directory (`restic backup .`), so the snapshot's root is the tree itself and
 * `restic restore ID --target DIR` brings it back without Paradux. The first push runs
 * `restic init` when there is no repository yet. `keep` is `forget --tag paradux --group-by ''
 * --keep-last N --prune`: use one repository (or repository path) per dataset location.
 * Single files (`upload`) are `backup --stdin` snapshots tagged `paradux-file-<hex of name>`,
 * older versions forgotten after a new one is stored; `download` is `dump`. Snapshot ids are
 * restic's 8-hex-digit short ids (as `restic snapshots` shows them); `restore` takes any unique
 * prefix of 8+ digits or the full id. The time `push` returns is when the backup started (read
 * before restic runs, so it can differ from restic's own record by milliseconds); `snapshots`
 * reports restic's record.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { commitTemp, tempPathBeside } from "../system/atomic.ts";
import {
  backupArgs,
  backupStdinArgs,
  catConfigArgs,
  checkArgs,
  dumpArgs,
  forgetArgs,
  initArgs,
  isLockedError,
  isMissingRepository,
  parseBackupStatus,
  parseBackupSummary,
  parseSnapshots,
  resticFailure,
  type ResticGlobal,
  type ResticSnapshot,
  restoreArgs,
  runRestic,
  runResticLines,
  sftpCommandString,
  snapshotsArgs,
  spawnRestic,
  unlockArgs,
} from "../system/restic.ts";
import { stderrText, stdoutText } from "../system/exec.ts";
import {
  privateKeyProblems,
  sshCommand,
  sshDestination,
  stopMaster,
  writeSshFiles,
} from "../system/ssh.ts";
import type {
  CredentialSpec,
  Location,
  ProtocolSpec,
  PushOptions,
  Snapshot,
  TransferContext,
  TransferStats,
} from "./protocol.ts";
import { privateFiles } from "./rclone_remote.ts";
import { checkName } from "./rsync_store.ts";
import { credentialProblems } from "./validate.ts";
import { countFiles } from "../system/count_files.ts";

/** The tag of dataset snapshots. */
export const DATA_TAG = "paradux";

/** The tag of the snapshots holding single uploaded file `name` (pure). */
export function fileTag(name: string): string {
  const hex = Array.from(new TextEncoder().encode(name), (b) => b.toString(16).padStart(2, "0"));
  return `paradux-file-${hex.join("")}`;
}

/** A parsed repository URL. */
export type ResticRepo =
  | { kind: "local"; repository: string }
  | { kind: "sftp"; repository: string; user?: string; host: string; port: number }
  | { kind: "s3"; repository: string }
  | { kind: "rest"; repository: string };

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: "password", required: true, secret: true, description: "the restic repository password" },
  { name: "sshKey", required: false, secret: true, description: "sftp: private ssh key (text)" },
  {
    name: "hostKey",
    required: false,
    secret: false,
    description: "sftp: the server's pinned host key (known_hosts line or public key)",
  },
  { name: "accessKeyId", required: false, secret: false, description: "s3: access key id" },
  { name: "secretAccessKey", required: false, secret: true, description: "s3: secret access key" },
  { name: "restPassword", required: false, secret: true, description: "rest: http password" },
  {
    name: "caCert",
    required: false,
    secret: false,
    description: "s3/rest: PEM text of the CA to trust (replaces the system CAs)",
  },
];

/** Which credentials each kind of repository needs and allows. */
const BY_KIND: Record<ResticRepo["kind"], { required: string[]; allowed: string[] }> = {
  local: { required: [], allowed: [] },
  sftp: { required: ["sshKey", "hostKey"], allowed: ["sshKey", "hostKey"] },
  s3: {
    required: ["accessKeyId", "secretAccessKey"],
    allowed: ["accessKeyId", "secretAccessKey", "caCert"],
  },
  rest: { required: [], allowed: ["restPassword", "caCert"] },
};

/**
 * Parses a `restic:` URL (pure).
 * @throws ParaduxError `input` when it is not one of the documented forms.
 */
export function parseResticUrl(url: string): ResticRepo {
  const bad = (why: string) =>
    new ParaduxError("input", `${url}: ${why}`, {
      hint: "use restic:/path, restic:sftp:user@host:/path, restic:s3:https://host/bucket/path " +
        "or restic:rest:https://host/path",
    });
  const m = /^restic:(.*)$/i.exec(url);
  if (m === null) throw bad("not a restic: URL");
  const repo = m[1] ?? "";
  if (/[\0\r\n]/.test(repo)) throw bad("control characters are not allowed");
  if (repo.startsWith("/")) {
    if (repo.split("/").some((p) => p === "." || p === "..")) throw bad("has a . or .. part");
    if (repo.replace(/\/+$/, "") === "") throw bad("the repository cannot be /");
    return { kind: "local", repository: repo };
  }
  if (repo.startsWith("sftp://")) {
    let u: URL;
    try {
      u = new URL(repo);
    } catch {
      throw bad("not a valid sftp:// URL");
    }
    if (u.password !== "") throw bad("put secrets in the credentials, not in the URL");
    if (u.hostname === "" || u.pathname.length <= 1) throw bad("needs a host and a path");
    return {
      kind: "sftp",
      repository: repo,
      ...(u.username === "" ? {} : { user: decodeURIComponent(u.username) }),
      host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port === "" ? 22 : Number(u.port),
    };
  }
  if (repo.startsWith("sftp:")) {
    const s = /^sftp:(?:([^@/:]+)@)?(\[[^\]]+\]|[^:/@\[\]]+):(.+)$/.exec(repo);
    if (s === null) throw bad("expected sftp:USER@HOST:/path");
    return {
      kind: "sftp",
      repository: repo,
      ...(s[1] === undefined ? {} : { user: s[1] }),
      host: (s[2] ?? "").replace(/^\[(.*)\]$/, "$1"),
      port: 22,
    };
  }
  if (repo.startsWith("s3:")) {
    if (!/^s3:(https?:\/\/)?[^/\s]+\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(repo)) {
      throw bad("expected s3:https://HOST[:PORT]/BUCKET/path");
    }
    if (/^s3:(https?:\/\/)?[^/@]*@/.test(repo)) throw bad("put secrets in the credentials");
    return { kind: "s3", repository: repo };
  }
  if (repo.startsWith("rest:")) {
    let u: URL;
    try {
      u = new URL(repo.slice(5));
    } catch {
      throw bad("expected rest:https://HOST[:PORT]/path");
    }
    if (!/^https?:$/.test(u.protocol)) throw bad("expected rest:http(s)://...");
    if (u.password !== "") throw bad("put the REST password in the restPassword credential");
    return { kind: "rest", repository: repo };
  }
  throw bad("unknown repository kind");
}

function validate(location: Location): string[] {
  let repo: ResticRepo;
  try {
    repo = parseResticUrl(location.url);
  } catch (e) {
    return [e instanceof ParaduxError ? e.message : String(e)];
  }
  const problems = credentialProblems(CREDENTIALS, location);
  const given = location.credentials ?? {};
  const rule = BY_KIND[repo.kind];
  for (const name of rule.required) {
    if (given[name] === undefined) problems.push(`a ${repo.kind} repository needs ${name}`);
  }
  for (const name of Object.keys(given)) {
    if (
      name !== "password" && CREDENTIALS.some((c) => c.name === name) &&
      !rule.allowed.includes(name)
    ) {
      problems.push(`credential ${name} does not apply to a ${repo.kind} repository`);
    }
  }
  if (given.sshKey !== undefined) problems.push(...privateKeyProblems(given.sshKey));
  if (given.caCert !== undefined && !given.caCert.includes("-----BEGIN CERTIFICATE-----")) {
    problems.push("caCert is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  return problems;
}

/** The repository string restic reads from the repository file (pure). */
export function repositoryString(repo: ResticRepo, restPassword?: string): string {
  if (repo.kind !== "rest" || restPassword === undefined) return repo.repository;
  const u = new URL(repo.repository.slice(5));
  u.password = encodeURIComponent(restPassword);
  return `rest:${u.toString()}`;
}

/** An opened repository: global flags, child env, cleanup. */
interface Opened {
  global: ResticGlobal;
  /** s3 or rest: restic retries a dead server for minutes, so calls are probed first. */
  network: boolean;
  env: Record<string, string>;
  where: string;
  close(): Promise<void>;
}

async function open(location: Location, ctx: TransferContext): Promise<Opened> {
  const problems = validate(location);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const repo = parseResticUrl(location.url);
  const c = location.credentials ?? {};
  const files = await privateFiles(ctx.privateDir, "restic-", {
    repository: repositoryString(repo, c.restPassword) + "\n",
    password: (c.password ?? "") + "\n",
    ...(c.caCert === undefined ? {} : { "ca.pem": c.caCert }),
  });
  const global: ResticGlobal = {
    repositoryFile: files.path("repository"),
    passwordFile: files.path("password"),
    ...(c.caCert === undefined ? {} : { caCertFile: files.path("ca.pem") }),
  };
  let removeSsh = () => Promise.resolve();
  if (repo.kind === "sftp") {
    const ssh = await writeSshFiles(files.dir, c.sshKey ?? "", c.hostKey ?? "");
    const target = { host: repo.host, port: repo.port, ...(repo.user ? { user: repo.user } : {}) };
    // The restic runs of one operation share one ssh login; close it at the end.
    removeSsh = async () => {
      await stopMaster(target, ssh);
      await ssh.remove();
    };
    global.sftpCommand = sftpCommandString([
      ...sshCommand(ssh, repo.port),
      sshDestination(target),
      "-s",
      "sftp",
    ]);
  }
  const env: Record<string, string> = repo.kind === "s3"
    ? { AWS_ACCESS_KEY_ID: c.accessKeyId ?? "", AWS_SECRET_ACCESS_KEY: c.secretAccessKey ?? "" }
    : {};
  return {
    global,
    network: repo.kind === "s3" || repo.kind === "rest",
    env,
    where: location.url,
    async close() {
      await removeSsh();
      await files.remove();
    },
  };
}

async function withRepo<T>(
  location: Location,
  ctx: TransferContext,
  fn: (
    r: Opened,
    run: (args: string[], what: string, cwd?: string) => Promise<string>,
  ) => Promise<T>,
): Promise<T> {
  const r = await open(location, ctx);
  const run = async (args: string[], what: string, cwd?: string) => {
    const opts = {
      env: r.env,
      ...(cwd === undefined ? {} : { cwd }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    };
    let result = await runRestic(args, opts);
    if (result.code !== 0 && isLockedError(stderrText(result)) && await unlockStale(r)) {
      // Paradux owns this repository: a lock left by an interrupted run is removed once.
      result = await runRestic(args, opts);
    }
    if (result.code !== 0) throw resticFailure(result, `${what} (${r.where})`);
    return stdoutText(result);
  };
  try {
    return await fn(r, run);
  } finally {
    await r.close();
  }
}

/** The snapshots with `tag`, or `undefined` when there is no repository. */
/**
 * Seconds a short call (listing, opening) may take before the repository counts as unreachable:
 * restic itself retries a refused or dropped connection with backoff for up to 15 minutes.
 */
export const PROBE_SECONDS = 20;

/** Runs a short restic call; no answer within {@link PROBE_SECONDS} is `tool-failed`. */
async function runShort(r: Opened, args: string[], ctx: TransferContext) {
  const timeout = AbortSignal.timeout(PROBE_SECONDS * 1000);
  const signal = ctx.signal === undefined ? timeout : AbortSignal.any([ctx.signal, timeout]);
  try {
    return await runRestic(args, { env: r.env, signal });
  } catch (e) {
    if (timeout.aborted && ctx.signal?.aborted !== true) {
      throw new ParaduxError(
        "tool-failed",
        `cannot reach ${r.where}: no answer within ${PROBE_SECONDS} s`,
        { hint: "check the repository address and that the server is up" },
      );
    }
    throw e;
  }
}

/** The snapshots with `tag`, or `undefined` when there is no repository. */
async function listTagged(
  r: Opened,
  tag: string,
  ctx: TransferContext,
): Promise<ResticSnapshot[] | undefined> {
  const result = await runShort(r, snapshotsArgs(r.global, tag), ctx);
  if (result.code !== 0) {
    if (isMissingRepository(stderrText(result))) return undefined;
    throw resticFailure(result, `listing snapshots (${r.where})`);
  }
  return parseSnapshots(new TextDecoder().decode(result.stdout));
}

/** Runs `restic init` when there is no repository yet (the probe is a short call). */
async function ensureRepository(r: Opened, ctx: TransferContext): Promise<void> {
  const probe = await runShort(r, catConfigArgs(r.global), ctx);
  if (probe.code === 0) return;
  if (!isMissingRepository(stderrText(probe))) {
    throw resticFailure(probe, `opening the repository (${r.where})`);
  }
  const opts = { env: r.env, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) };
  const init = await runRestic(initArgs(r.global), opts);
  if (init.code !== 0) throw resticFailure(init, `creating the repository (${r.where})`);
}

/**
 * Runs `restic unlock` (removes only stale locks: a dead process's, or older than 30 minutes),
 * best-effort with a time limit; true when it succeeded.
 */
async function unlockStale(r: Opened): Promise<boolean> {
  try {
    const signal = AbortSignal.timeout(PROBE_SECONDS * 1000);
    return (await runRestic(unlockArgs(r.global), { env: r.env, signal })).code === 0;
  } catch {
    return false;
  }
}

function toSnapshot(s: ResticSnapshot): Snapshot {
  return { id: s.shortId, time: s.time };
}

async function push(
  dir: string,
  location: Location,
  ctx: TransferContext,
  options: PushOptions = {},
): Promise<TransferStats & { snapshot: Snapshot }> {
  return await withRepo(location, ctx, async (r, run) => {
    const opts = {
      env: r.env,
      cwd: dir,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    };
    // Network repositories are probed first: a backup has no time limit, and restic retries a
    // dead server for minutes. Local and sftp ones fail at once, so they skip the extra run.
    if (r.network) await ensureRepository(r, ctx);
    const started = new Date().toISOString();
    const progress = ctx.progress;
    const backup = () =>
      runResticLines(backupArgs(r.global, DATA_TAG), opts, (line) => {
        const p = progress === undefined ? undefined : parseBackupStatus(line);
        if (p !== undefined) progress!(p);
      });
    const guarded = async () => {
      try {
        return await backup();
      } catch (e) {
        // An interrupted backup may leave its lock behind: remove it (only stale locks go).
        if (ctx.signal?.aborted === true) await unlockStale(r);
        throw e;
      }
    };
    let result = await guarded();
    if (result.code !== 0 && !r.network && isMissingRepository(stderrText(result))) {
      await ensureRepository(r, ctx);
      result = await guarded();
    }
    if (result.code !== 0 && isLockedError(stderrText(result)) && await unlockStale(r)) {
      // Paradux owns this repository: a lock left by an interrupted run is removed once.
      result = await guarded();
    }
    if (result.code !== 0) throw resticFailure(result, `backup (${r.where})`);
    const summary = parseBackupSummary(new TextDecoder().decode(result.stdout));
    const warnings: string[] = [];
    if (options.keep !== undefined) {
      try {
        await run(forgetArgs(r.global, DATA_TAG, options.keep), "removing old snapshots");
      } catch (e) {
        if (!(e instanceof ParaduxError) || e.kind !== "tool-failed") throw e;
        // The snapshot is stored; only pruning failed: a warning, not "is the server up".
        warnings.push(
          `snapshot ${summary.snapshotId.slice(0, 8)} was written, but ${e.message} ` +
            "(the next backup prunes again)",
        );
      }
    }
    return {
      bytes: summary.bytesAdded,
      files: await countFiles(dir), // restic's total_files_processed leaves out symlinks
      snapshot: { id: summary.snapshotId.slice(0, 8), time: started },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  });
}

/** The snapshot `id` names among `list`: exact, or a unique prefix of 8+ hex digits (pure). */
export function findSnapshot(
  list: readonly ResticSnapshot[],
  id: string,
): ResticSnapshot | undefined {
  const exact = list.find((s) => s.id === id);
  if (exact !== undefined) return exact;
  if (!/^[0-9a-f]{8,}$/.test(id)) return undefined;
  const matches = list.filter((s) => s.id.startsWith(id));
  return matches.length === 1 ? matches[0] : undefined;
}

async function restore(
  location: Location,
  dir: string,
  ctx: TransferContext,
  snapshotId?: string,
): Promise<TransferStats> {
  return await withRepo(location, ctx, async (r, run) => {
    const list = (await listTagged(r, DATA_TAG, ctx)) ?? [];
    const snap = snapshotId === undefined ? list.at(-1) : findSnapshot(list, snapshotId);
    if (snap === undefined) {
      throw new ParaduxError(
        "not-found",
        snapshotId === undefined
          ? `${r.where} holds no snapshot`
          : `${r.where} has no snapshot ${snapshotId}`,
      );
    }
    await Deno.mkdir(dir, { recursive: true });
    await run(restoreArgs(r.global, snap.id, dir), "restore");
    return { bytes: 0, files: await countFiles(dir) };
  });
}

async function upload(
  location: Location,
  file: string,
  name: string,
  ctx: TransferContext,
): Promise<void> {
  checkName(name);
  await withRepo(location, ctx, async (r, run) => {
    await ensureRepository(r, ctx);
    const tag = fileTag(name);
    const child = spawnRestic(backupStdinArgs(r.global, tag, name), {
      stdin: "piped",
      stdout: "null",
    }, r.env);
    const stop = () => child.kill();
    ctx.signal?.addEventListener("abort", stop);
    try {
      const input = await Deno.open(file, { read: true });
      const piping = input.readable.pipeTo(child.stdin).then(() => undefined, (e: unknown) => e);
      await child.finished();
      await piping;
    } finally {
      ctx.signal?.removeEventListener("abort", stop);
    }
    if (ctx.signal?.aborted === true) {
      throw new ParaduxError("interrupted", "the transfer was interrupted");
    }
    await run(forgetArgs(r.global, tag, 1), `replacing ${name}`);
  });
}

async function download(
  location: Location,
  name: string,
  file: string,
  ctx: TransferContext,
): Promise<void> {
  checkName(name);
  await withRepo(location, ctx, async (r) => {
    const list = await listTagged(r, fileTag(name), ctx);
    if (list === undefined || list.length === 0) {
      throw new ParaduxError("not-found", `${r.where} holds no file ${name}`);
    }
    const tmp = tempPathBeside(file);
    try {
      const out = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      const child = spawnRestic(dumpArgs(r.global, fileTag(name), name), {
        stdin: "null",
        stdout: "piped",
      }, r.env);
      const stop = () => child.kill();
      ctx.signal?.addEventListener("abort", stop);
      try {
        for await (const chunk of child.stdout) {
          for (let off = 0; off < chunk.length;) off += await out.write(chunk.subarray(off));
        }
        await child.finished();
        await out.sync();
      } finally {
        ctx.signal?.removeEventListener("abort", stop);
        out.close();
      }
      await commitTemp(tmp, file);
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  });
}

/** How much pack data `check` reads back and verifies (besides the whole structure). */
export const CHECK_DATA_SUBSET = "10%";

/** The `restic` protocol. */
export const protocol: ProtocolSpec = {
  name: "restic",
  schemes: ["restic"],
  summary: "a restic repository (local, sftp, s3, rest); restic encrypts and deduplicates",
  credentials: CREDENTIALS,
  canBeSource: false,
  storesPlainFiles: false,
  validate,
  localPath: (url) => {
    try {
      const repo = parseResticUrl(url);
      return repo.kind === "local" ? repo.repository.replace(/(.)\/+$/, "$1") : undefined;
    } catch {
      return undefined;
    }
  },
  pull: () =>
    Promise.reject(
      new ParaduxError("usage", "restic locations cannot be a dataset source", {
        hint: "use a restic repository as a destination; restore brings data back",
      }),
    ),
  push,
  snapshots: (location, ctx) =>
    withRepo(
      location,
      ctx,
      async (r) => ((await listTagged(r, DATA_TAG, ctx)) ?? []).map(toSnapshot),
    ),
  restore,
  upload,
  download,
  check: (location, ctx) =>
    withRepo(location, ctx, async (r, run) => {
      // the structure first (cheap), then a share of the pack data read back and verified
      await run(checkArgs(r.global), "checking the repository");
      await run(checkArgs(r.global, CHECK_DATA_SUBSET), "checking the repository's data");
      return `restic check passed (${CHECK_DATA_SUBSET} of the data read back)`;
    }),
};
