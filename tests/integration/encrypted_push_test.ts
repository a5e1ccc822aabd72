/**
 * Encrypted destinations end to end at the library level: push an unusual tree through a real
 * plain-file protocol, show that no name or content is visible there (grep), decrypt with the
 * Debian `age` CLI, restore byte for byte and mode for mode, prune to `keep`, detect a tampered
 * part, and restore an old snapshot after a data key rotation.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isUserError } from "../../errors.ts";
import type { Location, ProtocolSpec, TransferContext } from "../../protocols/protocol.ts";
import { protocol as fileProtocol } from "../../protocols/file.ts";
import { partName } from "../../protocols/archive.ts";
import { allDataKeys, currentDataKey, rotateDataKey } from "../../datasets/data_keys.ts";
import { newSecrets } from "../../vault/secrets.ts";
import {
  encryptedSnapshots,
  pushEncrypted,
  restoreEncrypted,
  SNAPSHOT_DIR,
} from "../../datasets/encrypted.ts";
import { diffTrees, listTree, makeUnusualTree } from "../helpers/tree.ts";

const protocol: ProtocolSpec = fileProtocol;

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-encpush-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A transfer context with its own private dir inside `tmp`. */
async function context(tmp: string, now = new Date()): Promise<TransferContext> {
  const privateDir = await Deno.makeTempDir({ dir: tmp, prefix: "priv-" });
  await Deno.chmod(privateDir, 0o700);
  return { privateDir, now };
}

/** Files under `dir` containing `needle` (grep -r, binary files too). */
async function grepFiles(dir: string, needle: string): Promise<string[]> {
  const out = await new Deno.Command("grep", {
    args: ["-r", "-l", "-a", "-F", "--", needle, dir],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

interface Setup {
  tmp: string;
  src: string;
  dest: string;
  location: Location;
}

async function setup(tmp: string): Promise<Setup> {
  const src = join(tmp, "src");
  const dest = join(tmp, "dest");
  await Deno.mkdir(src);
  await Deno.mkdir(dest);
  await makeUnusualTree(src, { randomFiles: 12 });
  await Deno.writeTextFile(join(src, "marker.txt"), "PARADUX-CONTENT-MARKER-7f3a\n");
  return { tmp, src, dest, location: { url: `file://${dest}` } };
}

Deno.test("encrypted push: nothing readable at the destination; restore is byte- and mode-identical", async () => {
  await withTemp(async (tmp) => {
    const s = await setup(tmp);
    const secrets = await newSecrets(2);
    const key = currentDataKey(secrets);
    const ctx = await context(tmp);
    const r = await pushEncrypted(s.src, s.location, protocol, [key.recipient], ctx, {
      keyGeneration: key.generation,
      partSize: 16 * 1024,
    });
    assert.ok(r.manifest.parts.length >= 3, "the small part size splits the archive");
    assert.ok(r.files >= 15);
    assert.ok(SNAPSHOT_DIR.test(r.snapshot.id));
    assert.deepEqual([...Deno.readDirSync(ctx.privateDir)], [], "staging is cleaned up");
    // Every path component of the source and a content marker: none at the destination.
    const names = new Set<string>();
    for (const path of (await listTree(s.src)).keys()) {
      for (const part of path.split("/")) names.add(part);
    }
    names.add("PARADUX-CONTENT-MARKER-7f3a");
    names.add("hello paradux");
    names.add("data in the middle of a hole");
    assert.ok((await grepFiles(s.src, "PARADUX-CONTENT-MARKER-7f3a")).length > 0, "grep works");
    for (const path of (await listTree(s.dest)).keys()) {
      for (const part of path.split("/")) {
        assert.match(part, /^(\d{8}T\d{6}Z(\.\d{3})?|data\.tar\.gz\.age\.\d{3}|manifest\.json)$/);
      }
    }
    for (const needle of names) {
      // "new\nline.txt": grep matches lines, so look for each line of a name.
      for (const piece of needle.split("\n")) {
        assert.deepEqual(
          await grepFiles(s.dest, piece),
          [],
          `"${piece}" visible at the destination`,
        );
      }
    }
    const snaps = await encryptedSnapshots(s.location, protocol, ctx);
    assert.deepEqual(snaps.map((x) => [x.id, x.keyGeneration]), [[r.snapshot.id, 1]]);
    const out = join(tmp, "restored");
    const got = await restoreEncrypted(s.location, protocol, allDataKeys(secrets), out, ctx);
    assert.equal(got.snapshot.id, r.snapshot.id);
    assert.deepEqual(await diffTrees(s.src, out), []);
  });
});

Deno.test("encrypted push: the Debian age CLI decrypts a snapshot (cat parts | age -d | tar -xz)", async () => {
  await withTemp(async (tmp) => {
    const s = await setup(tmp);
    const secrets = await newSecrets(2);
    const key = currentDataKey(secrets);
    const r = await pushEncrypted(
      s.src,
      s.location,
      protocol,
      [key.recipient],
      await context(tmp),
      {
        keyGeneration: 1,
        partSize: 8192,
      },
    );
    const keyFile = join(tmp, "identity.txt");
    await Deno.writeTextFile(keyFile, key.identity + "\n", { mode: 0o600 });
    assert.ok(r.manifest.parts.length >= 3);
    const out = join(tmp, "by-age");
    await Deno.mkdir(out);
    // The command documented in datasets/encrypted.ts, run in the destination directory.
    const sh = await new Deno.Command("sh", {
      args: ["-c", 'cat "$ID".*/data.tar.gz.age.* | age -d -i "$KEY" | tar -xzp -C "$OUT"'],
      cwd: s.dest,
      env: { ID: r.snapshot.id, KEY: keyFile, OUT: out },
      stderr: "piped",
    }).output();
    assert.equal(sh.code, 0, new TextDecoder().decode(sh.stderr));
    assert.deepEqual(await diffTrees(s.src, out), []);
  });
});

Deno.test("encrypted push: keep prunes old snapshots and leftovers of interrupted pushes", async () => {
  await withTemp(async (tmp) => {
    const s = await setup(tmp);
    const key = currentDataKey(await newSecrets(2));
    const now = new Date("2026-03-01T12:00:00Z");
    // Leftover of an interrupted push (no manifest) and a directory that is not Paradux's.
    await Deno.mkdir(join(s.dest, "20260101T000000Z.000"));
    await Deno.writeFile(join(s.dest, "20260101T000000Z.000", partName(0)), new Uint8Array(10));
    await Deno.mkdir(join(s.dest, "not a snapshot"));
    const ids: string[] = [];
    const removed: string[][] = [];
    for (let i = 0; i < 4; i++) {
      // The same `now` every time: ids must still be unique and increasing.
      const r = await pushEncrypted(s.src, s.location, protocol, [key.recipient], {
        ...(await context(tmp)),
        now,
      }, { keyGeneration: 1, keep: 2 });
      ids.push(r.snapshot.id);
      removed.push(r.removed);
    }
    assert.deepEqual(ids, [
      "20260301T120000Z",
      "20260301T120000Z-2",
      "20260301T120000Z-3",
      "20260301T120000Z-4",
    ]);
    assert.deepEqual(removed, [["20260101T000000Z"], [], [ids[0]], [ids[1]]]);
    const left = [...Deno.readDirSync(s.dest)].map((e) => e.name.replace(/\.\d{3}$/, ".NNN"));
    assert.deepEqual([...new Set(left)].sort(), [
      ids[2],
      `${ids[2]}.NNN`,
      ids[3],
      `${ids[3]}.NNN`,
      "not a snapshot",
    ]);
    const snaps = await encryptedSnapshots(s.location, protocol, await context(tmp));
    assert.deepEqual(snaps.map((x) => x.id), [ids[2], ids[3]]);
  });
});

Deno.test("encrypted push: a tampered part is detected by SHA-256, named, and nothing is restored", async () => {
  await withTemp(async (tmp) => {
    const s = await setup(tmp);
    const secrets = await newSecrets(2);
    const key = currentDataKey(secrets);
    const r = await pushEncrypted(
      s.src,
      s.location,
      protocol,
      [key.recipient],
      await context(tmp),
      {
        keyGeneration: 1,
        partSize: 8192,
      },
    );
    const victim = join(s.dest, `${r.snapshot.id}.001`, partName(1));
    const bytes = await Deno.readFile(victim);
    bytes[200] = (bytes[200] ?? 0) ^ 0x20;
    await Deno.writeFile(victim, bytes);
    const out = join(tmp, "restored");
    await assert.rejects(
      async () =>
        restoreEncrypted(s.location, protocol, allDataKeys(secrets), out, await context(tmp)),
      (e) =>
        isUserError(e, "input") &&
        e.message.includes(`${partName(1)}: SHA-256 mismatch`) &&
        e.message.includes(r.snapshot.id),
    );
    assert.deepEqual([...Deno.readDirSync(out)], [], "nothing extracted");
    // The first part (the age header) is checked before decryption too.
    const first = join(s.dest, `${r.snapshot.id}.000`, partName(0));
    const firstBytes = await Deno.readFile(first);
    await Deno.writeFile(first, firstBytes.subarray(0, firstBytes.length - 1));
    await assert.rejects(
      async () =>
        restoreEncrypted(s.location, protocol, allDataKeys(secrets), out, await context(tmp)),
      (e) => isUserError(e, "input") && e.message.includes(`${partName(0)}: `),
    );
    await Deno.writeFile(first, firstBytes);
    // A missing part is named too.
    await Deno.remove(victim);
    await assert.rejects(
      async () =>
        restoreEncrypted(s.location, protocol, allDataKeys(secrets), out, await context(tmp)),
      (e) => isUserError(e, "input") && e.message.includes(`${partName(1)}: missing`),
    );
  });
});

Deno.test("encrypted push: after a data key rotation an old snapshot restores with the old identity", async () => {
  await withTemp(async (tmp) => {
    const s = await setup(tmp);
    const s1 = await newSecrets(2);
    const k1 = currentDataKey(s1);
    const old = await pushEncrypted(s.src, s.location, protocol, [k1.recipient], {
      ...(await context(tmp)),
      now: new Date("2026-01-01T00:00:00Z"),
    }, { keyGeneration: k1.generation });
    const { secrets: s2, key: k2 } = await rotateDataKey(s1);
    await Deno.writeTextFile(join(s.src, "marker.txt"), "after rotation\n");
    const fresh = await pushEncrypted(s.src, s.location, protocol, [k2.recipient], {
      ...(await context(tmp)),
      now: new Date("2026-02-01T00:00:00Z"),
    }, { keyGeneration: k2.generation });
    const snaps = await encryptedSnapshots(s.location, protocol, await context(tmp));
    assert.deepEqual(snaps.map((x) => [x.id, x.keyGeneration]), [
      [old.snapshot.id, 1],
      [fresh.snapshot.id, 2],
    ]);
    // The old snapshot: restorable with the vault's key list (the old identity is kept).
    const out1 = join(tmp, "old");
    await restoreEncrypted(
      s.location,
      protocol,
      allDataKeys(s2),
      out1,
      await context(tmp),
      old.snapshot.id,
    );
    assert.equal(
      await Deno.readTextFile(join(out1, "marker.txt")),
      "PARADUX-CONTENT-MARKER-7f3a\n",
    );
    // The newest by default, with generation 2.
    const out2 = join(tmp, "new");
    const got = await restoreEncrypted(
      s.location,
      protocol,
      allDataKeys(s2),
      out2,
      await context(tmp),
    );
    assert.equal(got.snapshot.keyGeneration, 2);
    assert.equal(await Deno.readTextFile(join(out2, "marker.txt")), "after rotation\n");
    // Without the old generation the old snapshot is refused with a clear message.
    const out3 = join(tmp, "refused");
    await assert.rejects(
      async () =>
        restoreEncrypted(
          s.location,
          protocol,
          [{ generation: 2, identity: k2.identity }],
          out3,
          await context(tmp),
          old.snapshot.id,
        ),
      (e) => isUserError(e, "auth") && /generation 1/.test(e.message),
    );
    // A snapshot id that is not there.
    await assert.rejects(
      async () =>
        restoreEncrypted(
          s.location,
          protocol,
          allDataKeys(s2),
          join(tmp, "x"),
          await context(tmp),
          "20300101T000000Z",
        ),
      (e) => isUserError(e, "not-found"),
    );
  });
});

Deno.test("encrypted push: local staging holds at most one part at a time", async () => {
  await withTemp(async (tmp) => {
    const s = await setup(tmp);
    // ~3 MiB of incompressible data.
    const big = new Uint8Array(3 << 20);
    for (let off = 0; off < big.length; off += 65536) {
      crypto.getRandomValues(big.subarray(off, off + 65536));
    }
    await Deno.writeFile(join(s.src, "big.bin"), big);
    const key = currentDataKey(await newSecrets(2));
    const ctx = await context(tmp);
    const partSize = 256 * 1024;
    let peak = 0;
    let uploads = 0;
    const staged = async (dir: string): Promise<number> => {
      let n = 0;
      for await (const e of Deno.readDir(dir)) {
        const p = join(dir, e.name);
        n += e.isDirectory ? await staged(p) : (await Deno.lstat(p)).size;
      }
      return n;
    };
    const watched: ProtocolSpec = {
      ...protocol,
      async putDir(d, l, name, c) {
        uploads++;
        peak = Math.max(peak, await staged(ctx.privateDir));
        await protocol.putDir!(d, l, name, c);
      },
    };
    const r = await pushEncrypted(s.src, s.location, watched, [key.recipient], ctx, {
      keyGeneration: 1,
      partSize,
    });
    assert.ok(r.manifest.parts.length >= 12);
    assert.equal(uploads, r.manifest.parts.length + 1, "each part, then the manifest");
    assert.ok(peak <= partSize, `staging peaked at ${peak} bytes`);
    const out = join(tmp, "restored");
    await restoreEncrypted(s.location, protocol, [key.identity], out, ctx);
    assert.deepEqual(await diffTrees(s.src, out), []);
  });
});

Deno.test("encrypted push: a protocol with its own encryption is refused", async () => {
  const restic = { ...protocol, name: "restic", storesPlainFiles: false };
  await assert.rejects(
    () =>
      pushEncrypted("/nonexistent", { url: "restic:/x" }, restic, [], {
        privateDir: "/nonexistent",
        now: new Date(),
      }, { keyGeneration: 1 }),
    (e) => isUserError(e, "usage") && /restic/.test(e.message),
  );
});
