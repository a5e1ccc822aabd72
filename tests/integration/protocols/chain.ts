/**
 * The chain conformance suite: every chained destination (s3, ftp, `encrypt: true`) against its
 * real server. A protocol's test file calls {@link runChainConformance} once; it registers one
 * `Deno.test` whose steps check:
 *
 * - a 10-snapshot chain (one full, nine increments) built from a tree changed between pushes by
 *   deletions, renames of files and directories, mode changes, new symlinks, empty dirs, hard
 *   links and a sparse file: every increment is smaller than the full, and a random snapshot
 *   (the seed is printed), the first and the newest restore to the copy kept at that time;
 * - `keep` never removes a part a kept snapshot needs, and `full: true` starts a new chain;
 * - a lost or stale local state makes the next push a full, never a wrong increment;
 * - a SIGKILL of a child process while it uploads an increment (killed when it reports the
 *   upload, no sleeps) leaves no restorable broken snapshot, and the next push continues the
 *   chain from the last complete snapshot;
 * - where the protocol has the drill's `check`: it passes on the chain, and names the part when
 *   a part of the newest chain is corrupted (same size) or truncated.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ChainOptions } from "../../../protocols/chain.ts";
import type { Location, TransferContext } from "../../../protocols/protocol.ts";
import { diffTrees, makeUnusualTree } from "../../helpers/tree.ts";

/** A snapshot as the chain tests see it. */
export interface ChainSnapshot {
  /** Id. */
  id: string;
  /** 0 = full. */
  level?: number;
}

/** The operations under test, as the backup engine calls them. */
export interface ChainOps {
  /** Pushes `dir` as a new snapshot. */
  push(
    dir: string,
    location: Location,
    ctx: TransferContext,
    options: { keep?: number; chain: ChainOptions },
  ): Promise<{ bytes: number; snapshot: ChainSnapshot }>;
  /** Restores snapshot `id` (default newest) into `dir`. */
  restore(location: Location, dir: string, ctx: TransferContext, id?: string): Promise<unknown>;
  /** The restorable snapshots, oldest first. */
  snapshots(location: Location, ctx: TransferContext): Promise<ChainSnapshot[]>;
  /** The drill's check of the destination, when the protocol has one. */
  check?(location: Location, ctx: TransferContext): Promise<string>;
  /** Puts `file` as `name` at `location` (to damage a part for the check's test). */
  upload?(location: Location, file: string, name: string, ctx: TransferContext): Promise<void>;
  /** Gets `name` at `location` into `file`. */
  download?(location: Location, name: string, file: string, ctx: TransferContext): Promise<void>;
  /** The child kind for tests/integration/protocols/chain_child.ts (`s3`, `ftp`, `encrypted-file`). */
  childKind: string;
  /** Extra JSON the child needs (e.g. the age recipient). */
  childExtra?: Record<string, unknown>;
}

/** Registers the chain conformance test of one destination kind. */
export function runChainConformance(
  name: string,
  ops: ChainOps,
  options: {
    setup: () => Promise<{ location: () => Location; stop: () => Promise<void> }>;
  },
): void {
  Deno.test(`chain conformance: ${name}`, async (t) => {
    const server = await options.setup();
    const work = await Deno.makeTempDir({ prefix: "paradux-chain-" });
    await Deno.chmod(work, 0o700);
    const ctx = (): TransferContext => ({ privateDir: work, now: new Date() });
    try {
      const src = join(work, "src");
      const stateDir = join(work, "state");
      const location = server.location();
      const copies: string[] = [];
      const ids: string[] = [];

      await t.step("a 10-snapshot chain restores any snapshot exactly", async () => {
        await Deno.mkdir(src);
        await makeUnusualTree(src, { sparseBytes: 256 * 1024 });
        await Deno.writeFile(join(src, "big.bin"), randomBytes(1 << 20));
        const sizes: number[] = [];
        for (let i = 0; i < 10; i++) {
          if (i > 0) await mutate(src, i);
          const r = await ops.push(src, location, ctx(), { chain: { stateDir } });
          assert.equal(r.snapshot.level, i, `snapshot ${i} is level ${i}`);
          sizes.push(r.bytes);
          ids.push(r.snapshot.id);
          copies.push(await keepCopy(src, join(work, `copy-${i}`)));
        }
        for (const [i, b] of sizes.entries()) {
          if (i > 0) assert.ok(b < sizes[0]! / 2, `increment ${i} (${b} B) vs full ${sizes[0]} B`);
        }
        assert.deepEqual((await ops.snapshots(location, ctx())).map((s) => s.id), ids);
        const pick = 1 + Math.floor(Math.random() * 8);
        console.log(`chain ${name}: restoring random snapshot ${pick} of 0..9`);
        for (const i of [pick, 0, 9]) {
          await assertRestores(ops, location, ctx(), ids[i]!, copies[i]!, join(work, `out-${i}`));
        }
        await assertRestores(ops, location, ctx(), undefined, copies[9]!, join(work, "out-new"));
      });

      await t.step("lost or stale local state forces a full", async () => {
        const stale = join(work, "stale-state");
        await cp(stateDir, stale);
        await mutate(src, 10);
        const a = await ops.push(src, location, ctx(), { chain: { stateDir } });
        assert.equal(a.snapshot.level, 10, "the chain went on");
        // Stale: the state of the snapshot before; the destination has moved on.
        await Deno.remove(stateDir, { recursive: true });
        await Deno.rename(stale, stateDir);
        await mutate(src, 11);
        const b = await ops.push(src, location, ctx(), { chain: { stateDir } });
        assert.equal(b.snapshot.level, 0, "a stale state makes a full");
        // Lost.
        await Deno.remove(stateDir, { recursive: true });
        await mutate(src, 12);
        const c = await ops.push(src, location, ctx(), { chain: { stateDir } });
        assert.equal(c.snapshot.level, 0, "a lost state makes a full");
        const copy = await keepCopy(src, join(work, "copy-lost"));
        await assertRestores(ops, location, ctx(), c.snapshot.id, copy, join(work, "out-lost"));
      });

      await t.step(
        "keep never removes a part a kept snapshot needs; full starts a chain",
        async () => {
          await mutate(src, 13);
          const a = await ops.push(src, location, ctx(), { keep: 1, chain: { stateDir } });
          assert.equal(a.snapshot.level, 1);
          const left = (await ops.snapshots(location, ctx())).map((s) => s.id);
          assert.equal(left.length, 2, `keep 1 of an increment keeps its full too: ${left}`);
          await mutate(src, 14);
          const f = await ops.push(src, location, ctx(), {
            keep: 1,
            chain: { stateDir, full: true },
          });
          assert.equal(f.snapshot.level, 0);
          assert.deepEqual((await ops.snapshots(location, ctx())).map((s) => s.id), [
            f.snapshot.id,
          ]);
          const copy = await keepCopy(src, join(work, "copy-keep"));
          await assertRestores(ops, location, ctx(), f.snapshot.id, copy, join(work, "out-keep"));
        },
      );

      await t.step(
        "SIGKILL mid-increment leaves no broken snapshot; the chain goes on",
        async () => {
          const before = await ops.snapshots(location, ctx());
          const copyBefore = await keepCopy(src, join(work, "copy-before-kill"));
          await Deno.writeFile(join(src, "large new.bin"), randomBytes(3 << 20));
          await killDuringUpload(ops, location, src, stateDir, work);
          assert.deepEqual(await ops.snapshots(location, ctx()), before, "no new snapshot counts");
          await assertRestores(ops, location, ctx(), undefined, copyBefore, join(work, "out-kill"));
          const next = await ops.push(src, location, ctx(), { chain: { stateDir } });
          assert.equal(next.snapshot.level, (before.at(-1)?.level ?? 0) + 1, "continues the chain");
          const copy = await keepCopy(src, join(work, "copy-after-kill"));
          await assertRestores(
            ops,
            location,
            ctx(),
            next.snapshot.id,
            copy,
            join(work, "out-after"),
          );
        },
      );

      const { check, upload, download } = ops;
      if (check !== undefined && upload !== undefined && download !== undefined) {
        await t.step("the drill's check names a corrupted or truncated part", async () => {
          assert.match(await check(location, ctx()), /every part present, sizes match/);
          const newest = (await ops.snapshots(location, ctx())).at(-1)!;
          const at = { ...location, url: `${location.url}/${newest.id}` };
          const part = join(work, "part");
          await download(at, "data.tar", part, ctx());
          const good = await Deno.readFile(part);
          const size = good.length;
          const bad = good.slice();
          bad[size >> 1] = bad[size >> 1]! ^ 0x55;
          await Deno.writeFile(part, bad);
          await upload(at, part, "data.tar", ctx());
          await assert.rejects(() => check(location, ctx()), /data\.tar: SHA-256 mismatch/);
          await Deno.writeFile(part, good.subarray(0, size - 512));
          await upload(at, part, "data.tar", ctx());
          await assert.rejects(
            () => check(location, ctx()),
            new RegExp(`${newest.id}/data\\.tar: ${size - 512} bytes, its marker says ${size}`),
          );
        });
      }
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
      await server.stop();
    }
  });
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) out.set(crypto.getRandomValues(new Uint8Array(65536)), i);
  return out;
}

/** One round of changes: each kind the chain must carry, varied by `i`. */
async function mutate(src: string, i: number): Promise<void> {
  const d = join(src, "dir with spaces");
  switch (i % 7) {
    case 1: { // a file renamed, one deleted
      const nest = await firstNamed(d, "nest");
      const f = await firstNamed(join(d, nest), "");
      await Deno.rename(join(d, nest, f), join(d, nest, `renamed ${i}.txt`));
      await Deno.remove(join(src, "private.key")).catch(() => {});
      await Deno.remove(join(src, `file ${i - 1}.txt`)).catch(() => {});
      break;
    }
    case 2: // a directory renamed, a mode changed
      await Deno.rename(join(d, await firstNamed(d, "nest")), join(d, `nest ${i}`));
      await Deno.chmod(join(src, "script.sh"), i % 2 === 0 ? 0o700 : 0o750);
      break;
    case 3: // an empty dir and a symlink
      await Deno.mkdir(join(src, `empty ${i}`));
      await Deno.symlink("../script.sh", join(d, `link ${i}`));
      break;
    case 4: // a hard link, a content change
      await Deno.link(join(src, "script.sh"), join(src, `hard ${i}`));
      await Deno.writeTextFile(join(src, "ünïcödé ✓ 日本.txt"), `changed ${i}\n`);
      break;
    case 5: { // a new sparse file, a directory removed
      const f = await Deno.open(join(src, `sparse ${i}.img`), { write: true, create: true });
      await f.truncate(512 * 1024);
      await f.seek(300000, Deno.SeekMode.Start);
      await f.write(new TextEncoder().encode(`hole ${i}`));
      f.close();
      await Deno.remove(join(src, "empty dir"), { recursive: true }).catch(() => {});
      break;
    }
    case 6: // a file replaced by a directory of the same name, a dir mode
      await Deno.remove(join(src, "new\nline.txt")).catch(() => {});
      await Deno.mkdir(join(src, "new\nline.txt"), { recursive: true });
      await Deno.writeTextFile(join(src, "new\nline.txt", `in ${i}`), `${i}\n`);
      await Deno.chmod(d, 0o750);
      break;
    default: // a new file, an older one deleted
      await Deno.writeTextFile(join(src, `file ${i}.txt`), `round ${i}\n`);
      await Deno.remove(join(src, `file ${i - 7}.txt`)).catch(() => {});
  }
}

/** The first name (sorted) in `dir` starting with `prefix`. */
async function firstNamed(dir: string, prefix: string): Promise<string> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith(prefix)) names.push(e.name);
  const first = names.sort()[0];
  if (first === undefined) throw new Error(`nothing named ${prefix}* in ${dir}`);
  return first;
}

async function cp(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", "--sparse=always", from, to] }).output();
  if (!out.success) throw new Error(`cp failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function keepCopy(src: string, to: string): Promise<string> {
  await cp(src, to);
  return to;
}

/** Inode groups of hard-linked files, as sorted relative paths (for comparing link structure). */
async function hardLinks(dir: string): Promise<string[]> {
  const out = await new Deno.Command("find", {
    args: [dir, "-type", "f", "-links", "+1", "-printf", "%i %P\\n"],
    stdout: "piped",
  }).output();
  const groups = new Map<string, string[]>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "")) {
    const [ino = "", ...rest] = line.split(" ");
    groups.set(ino, [...(groups.get(ino) ?? []), rest.join(" ")]);
  }
  return [...groups.values()].map((g) => g.sort().join(" = ")).sort();
}

async function assertRestores(
  ops: ChainOps,
  location: Location,
  ctx: TransferContext,
  id: string | undefined,
  expected: string,
  out: string,
): Promise<void> {
  await Deno.mkdir(out);
  await ops.restore(location, out, ctx, id);
  assert.deepEqual(await diffTrees(expected, out), [], `snapshot ${id ?? "newest"} differs`);
  assert.deepEqual(await hardLinks(out), await hardLinks(expected), "hard links");
  await Deno.remove(out, { recursive: true });
}

/** Runs a push in a child, SIGKILLs it once it reports uploading, and waits for it to die. */
async function killDuringUpload(
  ops: ChainOps,
  location: Location,
  src: string,
  stateDir: string,
  work: string,
): Promise<void> {
  const config = join(work, "child.json");
  const priv = await Deno.makeTempDir({ dir: work, prefix: "child-" });
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      kind: ops.childKind,
      location,
      src,
      stateDir,
      privateDir: priv,
      ...ops.childExtra,
    }),
    { mode: 0o600 },
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=test", new URL("./chain_child.ts", import.meta.url).pathname, config],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("uploading\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the child ended before uploading: ${seen}`);
    seen += value;
  }
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  await lines.cancel().catch(() => {});
  await child.stdin.close().catch(() => {});
}
