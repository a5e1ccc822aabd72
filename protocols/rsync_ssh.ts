/**
 * The `rsync+ssh` protocol: a directory on an ssh host, `rsync+ssh://user@host:port/path`
 * (`/~/path` = relative to the user's home). Same snapshot layout and semantics as `file`
 * (protocols/rsync_store.ts), with rsync and the remote renames/listing over ssh.
 *
 * Credentials: `sshKey` (the private key text) and `hostKey` (the server's known_hosts line or
 * public key, pinned: a server presenting another key is refused). Both go into 0600 files in
 * the private directory, never argv. Remote commands are fixed `sh -c` scripts receiving the
 * paths as single-quoted arguments, so names with spaces, quotes or newlines are safe.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { commitTemp, syncDir, tempPathBeside } from "../system/atomic.ts";
import { isMissingSource, rsyncArgs, RsyncFailure, runRsync } from "../system/rsync.ts";
import {
  knownHostsText,
  privateKeyProblems,
  remoteScript,
  runSsh,
  sshCommand,
  type SshTarget,
  stopMaster,
  writeSshFiles,
} from "../system/ssh.ts";
import type { CredentialSpec, Location, ProtocolSpec, TransferContext } from "./protocol.ts";
import { snapshotOperations, type Store, type StoreEntry } from "./rsync_store.ts";
import { credentialProblems, parseSchemeUrl } from "./validate.ts";
import { dirname } from "node:path";

/** A parsed `rsync+ssh://` URL. */
export interface SshLocation {
  /** Where to connect. */
  target: SshTarget;
  /** Host as rsync wants it (IPv6 literals keep their brackets). */
  rsyncHost: string;
  /** Remote root directory: absolute, or relative to the home directory (`""` = home). */
  root: string;
}

function urlProblems(url: string): string[] {
  const u = parseSchemeUrl(url, "rsync+ssh");
  if (typeof u === "string") return [u];
  const problems: string[] = [];
  if (u.hostname === "") problems.push(`${url} names no host`);
  if (u.password !== "") problems.push("put no password in the URL; use the sshKey credential");
  try {
    const path = decodeURIComponent(u.pathname);
    const user = decodeURIComponent(u.username);
    if (path === "" || path === "/") {
      problems.push(`${url} names no directory (use /abs/path or /~/path)`);
    }
    if (path.includes("\0") || path.includes("\n")) {
      problems.push("the remote directory cannot contain a NUL or newline");
    }
    if (user.startsWith("-") || /[\s@]/.test(user)) problems.push(`bad user name ${user}`);
  } catch {
    problems.push(`${url} has a bad %-escape`);
  }
  return problems;
}

/** Parses an `rsync+ssh://` URL. @throws ParaduxError `input` when malformed. */
export function parseSshUrl(url: string): SshLocation {
  const problems = urlProblems(url);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const u = new URL(url);
  let path = decodeURIComponent(u.pathname).replace(/(.)\/+$/, "$1");
  if (path === "/~") path = "";
  else if (path.startsWith("/~/")) path = path.slice(3);
  const target: SshTarget = { host: u.hostname.replace(/^\[(.*)\]$/, "$1") };
  if (u.port !== "") target.port = Number(u.port);
  if (u.username !== "") target.user = decodeURIComponent(u.username);
  return { target, rsyncHost: u.hostname, root: path };
}

/** A path under the remote root (`""` = the root). */
export function remotePath(root: string, name: string): string {
  if (root === "") return name === "" ? "." : name;
  if (name === "") return root;
  return root === "/" ? `/${name}` : `${root}/${name}`;
}

/** The rsync argument for a remote path: `user@host:path`. */
export function rsyncRemote(loc: SshLocation, path: string): string {
  const user = loc.target.user;
  return `${user === undefined ? "" : `${user}@`}${loc.rsyncHost}:${path}`;
}

/** Remote scripts; `$1` is always the root directory. */
export const SCRIPTS = {
  /** Prints `d<name>\0` or `f<name>\0` per entry; exit 4 when the root does not exist. */
  list:
    `cd "$1" 2>/dev/null || { [ -e "$1" ] && { echo "$1 is not a directory" >&2; exit 3; }; exit 4; }
for f in * .*; do
  case $f in .|..) continue ;; esac
  [ -e "$f" ] || [ -L "$f" ] || continue
  if [ -d "$f" ] && [ ! -L "$f" ]; then printf 'd%s\\0' "$f"; else printf 'f%s\\0' "$f"; fi
done`,
  /** Creates the root (mode 0700) when missing; its parent must exist. */
  ensureRoot: `[ -d "$1" ] || mkdir -m 700 -- "$1"`,
  /** Renames $2 to $3 under the root, refusing to replace an existing $3. */
  rename: `cd "$1" || exit 1
if [ -e "$3" ] || [ -L "$3" ]; then echo "$3 already exists" >&2; exit 1; fi
mv -- "$2" "$3"`,
  /** Removes $2 under the root; opens up read-only directories if the first try fails. */
  remove: `cd "$1" 2>/dev/null || exit 0
[ -e "$2" ] || [ -L "$2" ] || exit 0
rm -rf -- "$2" 2>/dev/null && exit 0
find "./$2" -type d -exec chmod u+rwx {} +
rm -rf -- "$2"`,
} as const;

/** Parses the NUL-separated output of the list script. */
export function parseListing(text: string): StoreEntry[] {
  return text.split("\0").filter((s) => s.length > 1).map((s) => ({
    name: s.slice(1),
    dir: s[0] === "d",
  }));
}

async function openSsh(location: Location, ctx: TransferContext): Promise<Store> {
  const problems = protocol.validate(location);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const loc = parseSshUrl(location.url);
  const creds = location.credentials ?? {};
  const files = await writeSshFiles(ctx.privateDir, creds.sshKey ?? "", creds.hostKey ?? "");
  const signal = ctx.signal === undefined ? {} : { signal: ctx.signal };
  const run = (script: string, args: string[], okCodes: number[] = []) =>
    runSsh(loc.target, files, remoteScript(script, [loc.root === "" ? "." : loc.root, ...args]), {
      ...signal,
      okCodes,
    });
  const remoteShell = sshCommand(files, loc.target.port);
  const at = (name: string) => rsyncRemote(loc, remotePath(loc.root, name));
  return {
    where: location.url,
    remoteShell,
    rsyncPath: at,
    async list() {
      const r = await run(SCRIPTS.list, [], [4]);
      return r.code === 4 ? null : parseListing(new TextDecoder().decode(r.stdout));
    },
    async ensureRoot() {
      await run(SCRIPTS.ensureRoot, []);
    },
    async rename(from, to) {
      await run(SCRIPTS.rename, [from, to]);
    },
    async remove(name) {
      await run(SCRIPTS.remove, [name]);
    },
    async upload(file, name) {
      await runRsync(rsyncArgs(file, at(name), { singleFile: true, remoteShell }), signal);
    },
    async download(name, file) {
      const tmp = tempPathBeside(file);
      try {
        await runRsync(rsyncArgs(at(name), tmp, { singleFile: true, remoteShell }), signal);
        const handle = await Deno.open(tmp, { read: true, write: true });
        try {
          await handle.sync();
        } finally {
          handle.close();
        }
      } catch (e) {
        await Deno.remove(tmp).catch(() => {});
        if (
          e instanceof RsyncFailure && isMissingSource(new TextDecoder().decode(e.result.stderr))
        ) {
          throw new ParaduxError("not-found", `${location.url} has no file ${name}`);
        }
        throw e;
      }
      await commitTemp(tmp, file);
      await syncDir(dirname(file));
    },
    async close() {
      await stopMaster(loc.target, files);
      await files.remove();
    },
  };
}

const CREDENTIALS: readonly CredentialSpec[] = [
  {
    name: "sshKey",
    required: true,
    secret: true,
    description: "the ssh private key (OpenSSH text) that logs in to the host",
  },
  {
    name: "hostKey",
    required: true,
    secret: false,
    description: "the host's public key or known_hosts line (from ssh-keyscan), pinned",
  },
];

function validate(location: Location): string[] {
  const problems = [...urlProblems(location.url), ...credentialProblems(CREDENTIALS, location)];
  const { sshKey, hostKey } = location.credentials ?? {};
  if (sshKey !== undefined && sshKey !== "") problems.push(...privateKeyProblems(sshKey));
  if (hostKey !== undefined && hostKey !== "") {
    try {
      knownHostsText(hostKey);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}

/** The `rsync+ssh` protocol. */
export const protocol: ProtocolSpec = {
  name: "rsync+ssh",
  schemes: ["rsync+ssh"],
  summary: "a directory on an ssh host (pinned host key); dated hard-linked rsync snapshots",
  credentials: CREDENTIALS,
  canBeSource: true,
  storesPlainFiles: true,
  validate,
  ...snapshotOperations(openSsh),
};
