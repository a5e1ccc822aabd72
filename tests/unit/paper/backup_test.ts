import assert from "node:assert/strict";
import { type Backup, expandShards, makeBackup, recoverBackup } from "../../../paper/backup.ts";
import { ParaduxError } from "../../../errors.ts";
import { decodeFrame, encodeFrame } from "../../../paper/format/frame.ts";
import { decodeShardPayload, encodeShardPayload } from "../../../paper/format/shard.ts";
import { isMnemonic } from "../../../crypto/bip39.ts";

const WF = 4; // scrypt work factor for tests
const enc = (s: string) => new TextEncoder().encode(s);

async function rejects(p: Promise<unknown> | (() => unknown), kind: string, re: RegExp) {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    assert.ok(e instanceof ParaduxError, `not a ParaduxError: ${e}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    return;
  }
  assert.fail("did not throw");
}

function sharded(k: number, n: number, extra: Partial<Parameters<typeof makeBackup>[0]> = {}) {
  return makeBackup({
    files: [{ path: "secret.txt", data: enc("the secret") }],
    shards: { k, n },
    workFactor: WF,
    ...extra,
  });
}

Deno.test("makeBackup: generated 24-word mnemonic, frames, texts; all inputs recover", async () => {
  const b = await makeBackup({
    files: [{ path: "a.txt", data: enc("alpha"), mtime: 1700000000 }, {
      path: "dir/b.bin",
      data: new Uint8Array(3000).fill(7),
    }],
    workFactor: WF,
  });
  assert.ok(isMnemonic(b.passphrase));
  assert.equal(b.passphrase.split(" ").length, 24);
  assert.match(b.docId, /^[0-9a-f]{16}$/);
  assert.ok(b.signingSeed);
  assert.match(b.recoveryText, /^AUTH FRAME\n[a-z0-9 ]+\n/);
  assert.match(b.recoveryText, /\n\nMAIN FRAME\n/);
  for (const f of b.mainFrames) assert.ok(decodeFrame(f).data.length <= 512);
  const viaQr = await recoverBackup({
    inputs: [b.authFrame, ...b.mainFrames],
    passphrase: b.passphrase,
  });
  assert.equal(viaQr.authenticated, true);
  assert.deepEqual(viaQr.files.map((f) => [f.path, f.data.length, f.mtime]), [[
    "a.txt",
    5,
    1700000000,
  ], ["dir/b.bin", 3000, null]]);
  const viaText = await recoverBackup({ inputs: [b.recoveryText], passphrase: b.passphrase });
  assert.deepEqual(viaText.files, viaQr.files);
  assert.deepEqual(viaText.signingSeed, b.signingSeed);
});

Deno.test("makeBackup: main frames are balanced chunks as Ethernity makes them", async () => {
  const b = await makeBackup({
    files: [{ path: "x", data: crypto.getRandomValues(new Uint8Array(1500)) }],
    workFactor: WF,
    gzip: false,
  });
  const sizes = b.mainFrames.map((f) => decodeFrame(f).data.length);
  const len = b.ciphertext.length;
  const total = Math.ceil(len / 512);
  assert.equal(sizes.length, total);
  assert.equal(sizes.reduce((a, x) => a + x, 0), len);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  assert.ok(sizes[0]! >= sizes[sizes.length - 1]!);
});

Deno.test("recover: duplicates ignored, missing frames listed, other document named", async () => {
  const b = await makeBackup({
    files: [{ path: "x", data: crypto.getRandomValues(new Uint8Array(2000)) }],
    workFactor: WF,
    passphrase: "pw",
  });
  const other = await makeBackup({
    files: [{ path: "x", data: enc("y") }],
    workFactor: WF,
    passphrase: "pw",
  });
  const ok = await recoverBackup({
    inputs: [b.authFrame, ...b.mainFrames, b.mainFrames[0]!, b.authFrame],
    passphrase: "pw",
  });
  assert.equal(ok.files[0]?.data.length, 2000);
  const n = b.mainFrames.length;
  assert.ok(n >= 4);
  await rejects(
    recoverBackup({
      inputs: [b.authFrame, b.mainFrames[0]!, ...b.mainFrames.slice(3)],
      passphrase: "pw",
    }),
    "insufficient",
    new RegExp(`missing main frames 2, 3 of ${n}`),
  );
  await rejects(
    recoverBackup({
      inputs: [b.authFrame, ...b.mainFrames, other.mainFrames[0]!],
      passphrase: "pw",
    }),
    "mismatch",
    new RegExp(`^input ${n + 2}: main frame of another document`),
  );
  await rejects(
    recoverBackup({ inputs: [other.authFrame, ...b.mainFrames], passphrase: "pw" }),
    "mismatch",
    /^input 1: auth frame of another document/,
  );
  const f0 = decodeFrame(b.mainFrames[0]!);
  const bad = encodeFrame({ ...f0, data: f0.data.map((x, i) => i === 3 ? x ^ 1 : x) });
  await rejects(
    recoverBackup({ inputs: [...b.mainFrames, bad], passphrase: "pw" }),
    "input",
    new RegExp(`^input ${n + 1}: conflicts with input 1`),
  );
  await rejects(
    recoverBackup({ inputs: [...b.mainFrames], passphrase: "pw" }),
    "auth",
    /no auth frame/,
  );
  const rescued = await recoverBackup({
    inputs: [...b.mainFrames],
    passphrase: "pw",
    rescue: true,
  });
  assert.equal(rescued.authenticated, false);
  assert.ok(rescued.warnings.some((w) => /rescue/.test(w)));
  await rejects(
    recoverBackup({ inputs: [b.authFrame, ...b.mainFrames], passphrase: "wrong" }),
    "auth",
    /cannot decrypt/,
  );
});

Deno.test("shards: k of n recover in any order; k-1 gives need-k; text shards work", async () => {
  const b = await sharded(3, 5);
  assert.equal(b.shardFrames.length, 5);
  const got = await recoverBackup({
    inputs: [b.shardFrames[4]!, ...b.mainFrames, b.shardTexts[1]!, b.authFrame, b.shardFrames[2]!],
  });
  assert.equal(got.passphrase, b.passphrase);
  assert.equal(got.authenticated, true);
  await rejects(
    recoverBackup({ inputs: [b.authFrame, ...b.mainFrames, b.shardFrames[0]!, b.shardFrames[4]!] }),
    "insufficient",
    /need 3 shards, have 2/,
  );
  await rejects(
    recoverBackup({
      inputs: [
        b.authFrame,
        ...b.mainFrames,
        b.shardFrames[0]!,
        b.shardFrames[0]!,
        b.shardFrames[1]!,
      ],
    }),
    "insufficient",
    /need 3 shards, have 2/,
  );
});

function resign(
  frame: Uint8Array,
  seed: Uint8Array,
  change: (p: ReturnType<typeof decodeShardPayload>) => void = () => {},
) {
  const f = decodeFrame(frame);
  const p = decodeShardPayload(f.data);
  change(p);
  const { sig: _sig, pub: _pub, ...fields } = p;
  return encodeFrame({ ...f, data: encodeShardPayload(fields, seed) });
}

Deno.test("shards: forged, other backup, other set and conflicting duplicates each get their own message", async () => {
  const b: Backup = await sharded(2, 3);
  const base = [b.authFrame, ...b.mainFrames];
  const forged = resign(b.shardFrames[1]!, crypto.getRandomValues(new Uint8Array(32)));
  await rejects(
    recoverBackup({ inputs: [...base, b.shardFrames[0]!, forged] }),
    "auth",
    new RegExp(`^input ${base.length + 2}: shard signed by another key`),
  );
  // forged with the right pub but a bad signature (a changed share, signature kept)
  const f1 = decodeFrame(b.shardFrames[1]!);
  const tampered = new Uint8Array(f1.data);
  const shareAt = findSub(tampered, decodeShardPayload(f1.data).share);
  tampered[shareAt] = (tampered[shareAt] ?? 0) ^ 1;
  const badSig = encodeFrame({ ...f1, data: tampered });
  await rejects(
    recoverBackup({ inputs: [...base, b.shardFrames[0]!, badSig] }),
    "auth",
    /shard signature is invalid/,
  );
  const other = await sharded(2, 3, { passphrase: b.passphrase, signingSeed: b.signingSeed! });
  await rejects(
    recoverBackup({ inputs: [...base, b.shardFrames[0]!, other.shardFrames[1]!] }),
    "mismatch",
    new RegExp(`^input ${base.length + 2}: shard of another backup`),
  );
  const otherSet = resign(b.shardFrames[1]!, b.signingSeed!, (p) => {
    p.setId = new Uint8Array(16).fill(9);
  });
  await rejects(
    recoverBackup({ inputs: [...base, b.shardFrames[0]!, otherSet] }),
    "mismatch",
    /shard of another set/,
  );
  const conflicting = resign(b.shardFrames[0]!, b.signingSeed!, (p) => {
    p.share = p.share.map((x) => x ^ 0xff);
  });
  await rejects(
    recoverBackup({ inputs: [...base, b.shardFrames[0]!, conflicting, b.shardFrames[1]!] }),
    "input",
    new RegExp(`^input ${base.length + 2}.*conflicts with input ${base.length + 1}`),
  );
  // a tampered share is caught by the extra shard even in rescue mode
  await rejects(
    recoverBackup({
      inputs: [...base, b.shardFrames[0]!, badSig, b.shardFrames[2]!],
      rescue: true,
    }),
    "input",
    /does not belong/,
  );
  // a damaged signature on a good share: refused, but rescue mode uses it and says so
  const sigAt = findSub(f1.data, decodeShardPayload(f1.data).sig);
  const damagedSig = new Uint8Array(f1.data);
  damagedSig[sigAt] = (damagedSig[sigAt] ?? 0) ^ 1;
  const sigOnly = encodeFrame({ ...f1, data: damagedSig });
  await rejects(
    recoverBackup({ inputs: [...base, b.shardFrames[0]!, sigOnly] }),
    "auth",
    /shard signature is invalid/,
  );
  const rescued = await recoverBackup({
    inputs: [...base, b.shardFrames[0]!, sigOnly],
    rescue: true,
  });
  assert.equal(rescued.authenticated, false);
  assert.equal(rescued.passphrase, b.passphrase);
  assert.ok(rescued.warnings.some((w) => /signature is invalid; used anyway/.test(w)));
});

function findSub(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

Deno.test("expandShards: new indices of the same set recover with old ones; wrong seed refused", async () => {
  const b = await sharded(2, 5, { sealed: true, signingSeed: new Uint8Array(32).fill(1) });
  assert.equal(b.signingSeed, undefined);
  const seed = new Uint8Array(32).fill(1);
  const more = expandShards([b.shardFrames[0]!, b.shardTexts[2]!], seed, 2, { exclude: [2] });
  assert.deepEqual(more.indices, [4, 5]);
  const got = await recoverBackup({
    inputs: [b.authFrame, ...b.mainFrames, more.shardFrames[0]!, more.shardTexts[1]!],
  });
  assert.equal(got.passphrase, b.passphrase);
  assert.equal(got.authenticated, true);
  await rejects(
    () => expandShards([b.shardFrames[0]!, b.shardFrames[1]!], new Uint8Array(32).fill(2), 1),
    "auth",
    /signing seed does not match/,
  );
  await rejects(
    () => expandShards([b.shardFrames[0]!], seed, 1),
    "insufficient",
    /need 2 shards, have 1/,
  );
  await rejects(() => expandShards(b.shardFrames, seed, 1), "capacity", /no room/);
});

Deno.test("makeBackup: rejects bad mnemonics, bad paths, duplicates, empty file lists", async () => {
  await rejects(
    makeBackup({
      files: [{ path: "a", data: enc("x") }],
      passphrase: "abandon ".repeat(11) + "abandon",
      workFactor: WF,
    }),
    "input",
    /not a valid one/,
  );
  await rejects(
    makeBackup({ files: [{ path: "/etc/x", data: enc("x") }], workFactor: WF }),
    "input",
    /absolute/,
  );
  await rejects(
    makeBackup({ files: [{ path: "C:x", data: enc("x") }], workFactor: WF }),
    "input",
    /drive letter/,
  );
  await rejects(
    makeBackup({ files: [{ path: "a/../b", data: enc("x") }], workFactor: WF }),
    "input",
    /\.\. segment/,
  );
  await rejects(
    makeBackup({
      files: [{ path: "caf\u00e9", data: enc("x") }, { path: "cafe\u0301", data: enc("y") }],
      workFactor: WF,
    }),
    "input",
    /duplicate path/,
  );
  await rejects(makeBackup({ files: [], workFactor: WF }), "input", /at least one file/);
  await rejects(
    makeBackup({ files: [{ path: "a", data: enc("x") }], words: 13, workFactor: WF }),
    "usage",
    /12, 15, 18, 21 or 24/,
  );
  const ok = await makeBackup({
    files: [{ path: "a", data: enc("x") }],
    words: 12,
    workFactor: WF,
  });
  assert.equal(ok.passphrase.split(" ").length, 12);
});
