/**
 * Test trees with unusual names and a byte-and-mode comparison, shared by the protocol,
 * archive and end-to-end tests.
 * @module
 */
import { join } from "node:path";

/** Options for {@link makeUnusualTree}. */
export interface TreeOptions {
  /** Size of the sparse file (default 1 MiB). */
  sparseBytes?: number;
  /** Also add this many random small files. */
  randomFiles?: number;
}

/** Writes a tree with spaces, a newline, unicode, a symlink, an empty dir, a sparse file. */
export async function makeUnusualTree(dir: string, options: TreeOptions = {}): Promise<void> {
  await Deno.mkdir(join(dir, "dir with spaces/nested"), { recursive: true });
  await Deno.mkdir(join(dir, "empty dir"));
  await Deno.writeTextFile(join(dir, "dir with spaces/nested/plain.txt"), "hello paradux\n");
  await Deno.writeTextFile(join(dir, "new\nline.txt"), "a name with a newline\n");
  await Deno.writeTextFile(join(dir, "ünïcödé ✓ 日本.txt"), "unicode names survive\n");
  await Deno.writeFile(join(dir, "script.sh"), new TextEncoder().encode("#!/bin/sh\necho hi\n"), {
    mode: 0o755,
  });
  await Deno.writeFile(join(dir, "private.key"), crypto.getRandomValues(new Uint8Array(4096)), {
    mode: 0o600,
  });
  await Deno.symlink("dir with spaces/nested/plain.txt", join(dir, "link to plain"));
  const sparse = await Deno.open(join(dir, "sparse.img"), { write: true, create: true });
  await sparse.truncate(options.sparseBytes ?? 1024 * 1024);
  await sparse.seek(12345, Deno.SeekMode.Start);
  await sparse.write(new TextEncoder().encode("data in the middle of a hole"));
  sparse.close();
  for (let i = 0; i < (options.randomFiles ?? 0); i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(1 + (i * 977) % 20000));
    await Deno.writeFile(join(dir, `dir with spaces/r${i}.bin`), bytes);
  }
}

/** One entry of a tree listing: kind, mode, and content hash or link target. */
export interface Entry {
  kind: "file" | "dir" | "symlink";
  mode: number;
  content: string;
}

async function sha256Hex(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Hash in pieces to stay light on memory for large sparse files.
  const digestParts: string[] = [];
  for await (const chunk of file.readable) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= 8 * 1024 * 1024) {
      digestParts.push(await digest(chunks));
      chunks.length = 0;
      total = 0;
    }
  }
  digestParts.push(await digest(chunks));
  return digestParts.join(":");
}

async function digest(chunks: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Lists a tree: relative path -> kind, permission bits, content hash or link target. */
export async function listTree(dir: string, prefix = ""): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    const path = join(dir, rel);
    const info = await Deno.lstat(path);
    const mode = (info.mode ?? 0) & 0o7777;
    if (info.isSymlink) {
      out.set(rel, { kind: "symlink", mode: 0, content: await Deno.readLink(path) });
    } else if (info.isDirectory) {
      out.set(rel, { kind: "dir", mode, content: "" });
      for (const [k, v] of await listTree(dir, rel)) out.set(k, v);
    } else {
      out.set(rel, { kind: "file", mode, content: await sha256Hex(path) });
    }
  }
  return out;
}

/** Differences between two trees, as readable lines (empty when identical). */
export async function diffTrees(a: string, b: string): Promise<string[]> {
  const [ta, tb] = [await listTree(a), await listTree(b)];
  const problems: string[] = [];
  for (const [k, v] of ta) {
    const w = tb.get(k);
    if (w === undefined) problems.push(`missing: ${JSON.stringify(k)}`);
    else if (JSON.stringify(v) !== JSON.stringify(w)) {
      problems.push(`differs: ${JSON.stringify(k)} ${JSON.stringify(v)} vs ${JSON.stringify(w)}`);
    }
  }
  for (const k of tb.keys()) if (!ta.has(k)) problems.push(`extra: ${JSON.stringify(k)}`);
  return problems;
}

/** The text of every file below `dir` by relative path (small test trees only). */
export async function textTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string, rel: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) await walk(join(d, e.name), p);
      else out[p] = await Deno.readTextFile(join(d, e.name));
    }
  }
  await walk(dir, "");
  return out;
}
