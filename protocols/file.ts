/**
 * The `file` protocol: a directory on a local disk or a mounted drive, `file:///mnt/usb/home`.
 *
 * As a source, `pull` mirrors the directory. As a destination, every push is a dated snapshot
 * directory made by rsync with `--link-dest` to the previous one (unchanged files are hard links,
 * so a snapshot costs only what changed, and a deletion at the source never touches an older
 * snapshot); see protocols/rsync_store.ts for the layout. The root directory is created on the
 * first push, but its parent must exist: a drive that is not mounted is an error, not a backup
 * written onto the system disk.
 *
 * rsync 3.4+ walks every destination and `--link-dest` path component by component to refuse
 * symlink tricks; when the root is private to this user (0700, no parent others can change:
 * system/trusted_path.ts) nobody else can plant a link there, so pushes pass `--insecure-links`
 * and skip that walk (it was most of a no-change push). Any other root keeps the safe walk.
 * @module
 */
import { dirname, join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { commitTemp, syncDir, tempPathBeside } from "../system/atomic.ts";
import { privateTree } from "../system/trusted_path.ts";
import type { Location, ProtocolSpec, TransferContext } from "./protocol.ts";
import { snapshotOperations, type Store, type StoreEntry } from "./rsync_store.ts";
import { credentialProblems, parseSchemeUrl } from "./validate.ts";

/** The absolute local path of a `file:` URL. @throws ParaduxError `input` when malformed. */
export function filePath(url: string): string {
  const problems = urlProblems(url);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  return decodeURIComponent(new URL(url).pathname).replace(/(.)\/+$/, "$1");
}

function urlProblems(url: string): string[] {
  const u = parseSchemeUrl(url, "file");
  if (typeof u === "string") return [u];
  const problems: string[] = [];
  if (u.host !== "" && u.host !== "localhost") {
    problems.push(`file URL ${url} names a host; use file:///absolute/path`);
  }
  try {
    const path = decodeURIComponent(u.pathname);
    if (path === "/" || path === "") problems.push("a file location cannot be the root directory");
    if (path.includes("\0")) problems.push("a file location cannot contain a NUL byte");
  } catch {
    problems.push(`file URL ${url} has a bad %-escape`);
  }
  return problems;
}

function unreachable(root: string, why: string): ParaduxError {
  return new ParaduxError("tool-failed", `${root} is not reachable: ${why}`, {
    hint: "is the drive mounted? the parent directory of the location must exist",
  });
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** Copies a file to `dest` through a synced temp file beside it and a rename. */
async function copyAtomic(src: string, dest: string): Promise<void> {
  const tmp = tempPathBeside(dest);
  const input = await Deno.open(src, { read: true });
  try {
    const out = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
    try {
      for await (const chunk of input.readable) {
        for (let off = 0; off < chunk.length;) off += await out.write(chunk.subarray(off));
      }
      await out.sync();
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    } finally {
      out.close();
    }
  } finally {
    try {
      input.close();
    } catch {
      // closed by the readable stream
    }
  }
  await commitTemp(tmp, dest);
}

/** Removes a tree; directories without write permission are opened up first. */
export async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
    await openDirs(path);
    await Deno.remove(path, { recursive: true });
  }
}

async function openDirs(path: string): Promise<void> {
  const info = await Deno.lstat(path);
  if (!info.isDirectory) return;
  await Deno.chmod(path, 0o700);
  for await (const e of Deno.readDir(path)) {
    if (e.isDirectory) await openDirs(join(path, e.name));
  }
}

/** The store of a local directory. */
export function localStore(root: string): Store {
  const at = (name: string) => name === "" ? root : join(root, name);
  return {
    where: root,
    rsyncPath: at,
    async list(): Promise<StoreEntry[] | null> {
      const out: StoreEntry[] = [];
      try {
        for await (const e of Deno.readDir(root)) out.push({ name: e.name, dir: e.isDirectory });
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          if (await isDir(dirname(root))) return null;
          throw unreachable(root, "its parent directory does not exist");
        }
        if (e instanceof Deno.errors.NotADirectory) throw unreachable(root, "not a directory");
        if (e instanceof Deno.errors.PermissionDenied) throw unreachable(root, "permission denied");
        throw e;
      }
      return out;
    },
    async ensureRoot() {
      try {
        await Deno.mkdir(root, { mode: 0o700 });
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) {
          if (await isDir(root)) return;
          throw unreachable(root, "not a directory");
        }
        if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
          throw unreachable(root, "its parent directory does not exist");
        }
        if (e instanceof Deno.errors.PermissionDenied) throw unreachable(root, "permission denied");
        throw e;
      }
    },
    async rename(from, to) {
      try {
        await Deno.lstat(at(to));
        throw new ParaduxError("exists", `${at(to)} already exists`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      await Deno.rename(at(from), at(to));
      await syncDir(root);
    },
    remove: (name) => removeTree(at(name)),
    upload: (file, name) => copyAtomic(file, at(name)),
    async download(name, file) {
      const src = at(name);
      let found = false;
      try {
        found = (await Deno.stat(src)).isFile;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      if (!found) {
        await this.list(); // tool-failed when the drive is not there at all
        throw new ParaduxError("not-found", `${src} does not exist`);
      }
      await copyAtomic(src, file);
    },
    close: () => Promise.resolve(),
    privateRoot: () => privateTree(root),
  };
}

function openLocal(location: Location, _ctx: TransferContext): Promise<Store> {
  return Promise.resolve(localStore(filePath(location.url)));
}

/** The `file` protocol. */
export const protocol: ProtocolSpec = {
  name: "file",
  schemes: ["file"],
  summary: "a local or mounted directory; dated hard-linked rsync snapshots",
  credentials: [],
  canBeSource: true,
  storesPlainFiles: true,
  validate: (location) => [
    ...urlProblems(location.url),
    ...credentialProblems([], location),
  ],
  localPath: (url) => urlProblems(url).length === 0 ? filePath(url) : undefined,
  ...snapshotOperations(openLocal),
};
