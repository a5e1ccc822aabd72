/**
 * Ethernity v1 format.md section 18: every must-pass (18.2) and must-reject (18.3) scenario,
 * plus the uvarint, frame and z-base-32 basics they rest on.
 */
import assert from "node:assert/strict";
import { ParaduxError } from "../../../errors.ts";
import { decodeUvarint, encodeUvarint } from "../../../paper/format/uvarint.ts";
import { decodeFrame, encodeFrame } from "../../../paper/format/frame.ts";
import { crc32 } from "../../../paper/format/crc32.ts";
import { base64Unpadded, decodeQrPayloadText } from "../../../paper/format/qr_payload.ts";
import { decodeZbase32, encodeZbase32 } from "../../../paper/format/zbase32.ts";
import { decodeEnvelope, encodeEnvelope, extractFiles } from "../../../paper/format/envelope.ts";
import { decodeManifest, encodeManifest, type Manifest } from "../../../paper/format/manifest.ts";
import {
  decodeAuthPayload,
  encodeAuthPayload,
  verifyAuthPayload,
} from "../../../paper/format/auth.ts";
import {
  decodeShardPayload,
  encodeShardPayload,
  verifyShardPayload,
} from "../../../paper/format/shard.ts";
import { decodeCanonical, encodeCanonical } from "../../../paper/format/cbor.ts";
import { filterSection, splitSections } from "../../../paper/format/fallback_text.ts";
import { gzip } from "../../../paper/format/gzip.ts";
import { sha256 } from "../../../crypto/hashes.ts";
import { makeBackup, recoverBackup } from "../../../paper/backup.ts";
import { MAX_FALLBACK_LINES, MAX_FALLBACK_NORMALIZED_CHARS } from "../../../paper/format/limits.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...p: Uint8Array[]) => {
  const out = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of p) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};

function rejectsInput(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ParaduxError, `not a ParaduxError: ${e}`);
    assert.match(e.message, re);
    return true;
  });
}

async function rejectsAsync(p: Promise<unknown>, kind: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ParaduxError, `not a ParaduxError: ${e}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    return true;
  });
}

function manifestOf(
  files: { path: string; data: Uint8Array }[],
  extra: Partial<Manifest> = {},
): Manifest {
  return {
    created: 1700000000,
    sealed: true,
    seed: null,
    inputOrigin: "file",
    inputRoots: [],
    payloadCodec: "raw",
    payloadRawLen: null,
    pathEncoding: "direct",
    files: files.map((f) => ({
      path: f.path,
      size: f.data.length,
      sha256: sha256(f.data),
      mtime: null,
    })),
    ...extra,
  };
}

/** Builds a frame with hand-made header bytes and a correct CRC. */
function rawFrame(header: number[], data: Uint8Array): Uint8Array {
  const body = cat(Uint8Array.from(header), data);
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(body));
  return cat(body, crc);
}

Deno.test("uvarint: canonical round trip; overlong, truncated and >64-bit rejected", () => {
  for (const v of [0, 1, 127, 128, 300, 16384, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
    const b = encodeUvarint(v);
    assert.deepEqual(decodeUvarint(b, 0, "x"), { value: v, next: b.length });
  }
  rejectsInput(() => decodeUvarint(Uint8Array.of(0x80, 0x00), 0, "x"), /non-canonical/);
  rejectsInput(() => decodeUvarint(Uint8Array.of(0x81, 0x80, 0x00), 0, "x"), /non-canonical/);
  rejectsInput(() => decodeUvarint(Uint8Array.of(0x80), 0, "x"), /truncated/);
  const max = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
  assert.equal(decodeUvarint(max, 0, "x").next, 10);
  rejectsInput(
    () =>
      decodeUvarint(
        Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02),
        0,
        "x",
      ),
    /out of range/,
  );
  rejectsInput(() => decodeUvarint(new Uint8Array(11).fill(0x80), 0, "x"), /out of range/);
});

Deno.test("z-base-32: known vector, round trips, non-canonical tail bits rejected", () => {
  assert.equal(encodeZbase32(Uint8Array.of(0xf0, 0xbf, 0xc7)), "6n9hq");
  assert.equal(encodeZbase32(Uint8Array.of(0xd4, 0x7a, 0x04)), "4t7ye");
  for (let n = 0; n < 40; n++) {
    const b = crypto.getRandomValues(new Uint8Array(n));
    assert.deepEqual(decodeZbase32(encodeZbase32(b)), b);
  }
  rejectsInput(() => decodeZbase32("6n9hx"), /non-canonical/);
  rejectsInput(() => decodeZbase32("6"), /impossible length/);
  rejectsInput(() => decodeZbase32("6n9h0"), /not a z-base-32 character/);
});

Deno.test("frame: round trip; bad crc, type, version, index/total and sizes rejected", () => {
  const docId = new Uint8Array(8).fill(5);
  const f = { type: "main" as const, docId, index: 2, total: 3, data: enc("hello") };
  assert.deepEqual(decodeFrame(encodeFrame(f)), f);
  const good = encodeFrame(f);
  const bad = new Uint8Array(good);
  bad[good.length - 1] = (bad[good.length - 1] ?? 0) ^ 1;
  rejectsInput(() => decodeFrame(bad), /crc mismatch/);
  rejectsInput(
    () => decodeFrame(rawFrame([0x41, 0x50, 1, 0x58, ...docId, 0, 1, 1], enc("x"))),
    /unknown frame type/,
  );
  rejectsInput(
    () => decodeFrame(rawFrame([0x41, 0x50, 2, 0x44, ...docId, 0, 1, 1], enc("x"))),
    /unsupported frame version/,
  );
  rejectsInput(
    () => decodeFrame(rawFrame([0x41, 0x50, 1, 0x44, ...docId, 1, 1, 1], enc("x"))),
    /index 1 is not below total 1/,
  );
  rejectsInput(
    () => decodeFrame(rawFrame([0x41, 0x50, 1, 0x41, ...docId, 0, 2, 1], enc("x"))),
    /single frame/,
  );
  rejectsInput(
    () => decodeFrame(rawFrame([0x41, 0x50, 1, 0x44, ...docId, 0, 0x81, 0x20, 1], enc("x"))),
    /total 4097 exceeds 4096/,
  );
  rejectsInput(
    () =>
      decodeFrame(rawFrame([0x41, 0x50, 1, 0x41, ...docId, 0, 1, 0x81, 0x04], new Uint8Array(513))),
    /exceeds 512/,
  );
  rejectsInput(
    () => decodeFrame(rawFrame([0x41, 0x50, 1, 0x44, ...docId, 0, 1, 2], enc("x"))),
    /length mismatch/,
  );
});

Deno.test("18.2.1 / 18.3.2: stable envelope decodes; non-canonical uvarints in envelope and frame headers rejected", async () => {
  const files = [{ path: "b.txt", data: enc("bee") }, { path: "a.txt", data: enc("ay") }];
  const m = manifestOf([files[1]!, files[0]!]);
  const mb = encodeManifest(m);
  const env = encodeEnvelope(mb, enc("aybee"));
  const got = await extractFiles(decodeEnvelope(env));
  assert.deepEqual(got.map((f) => [f.path, new TextDecoder().decode(f.data)]), [["a.txt", "ay"], [
    "b.txt",
    "bee",
  ]]);
  // envelope: version 1 as 0x81 0x00
  rejectsInput(
    () => decodeEnvelope(cat(Uint8Array.of(0x41, 0x59, 0x81, 0x00), env.subarray(3))),
    /non-canonical uvarint in envelope version/,
  );
  // envelope: manifest length overlong
  const ml = encodeUvarint(mb.length);
  const overlong = Uint8Array.of(
    ...ml.slice(0, -1).map((x) => x),
    (ml[ml.length - 1] ?? 0) | 0x80,
    0x00,
  );
  rejectsInput(
    () =>
      decodeEnvelope(
        cat(Uint8Array.of(0x41, 0x59, 1), overlong, mb, encodeUvarint(5), enc("aybee")),
      ),
    /non-canonical uvarint in manifest length/,
  );
  rejectsInput(
    () =>
      decodeEnvelope(
        cat(Uint8Array.of(0x41, 0x59, 1), ml, mb, Uint8Array.of(0x85, 0x00), enc("aybee")),
      ),
    /non-canonical uvarint in payload length/,
  );
  rejectsInput(() => decodeEnvelope(cat(env, Uint8Array.of(0))), /payload length does not match/);
  const docId = new Uint8Array(8);
  for (
    const header of [
      [0x41, 0x50, 0x81, 0x00, 0x44, ...docId, 0, 1, 1],
      [0x41, 0x50, 1, 0x44, ...docId, 0x80, 0x00, 1, 1],
      [0x41, 0x50, 1, 0x44, ...docId, 0, 0x81, 0x00, 1],
      [0x41, 0x50, 1, 0x44, ...docId, 0, 1, 0x81, 0x00],
    ]
  ) rejectsInput(() => decodeFrame(rawFrame(header, enc("x"))), /non-canonical uvarint/);
});

Deno.test("18.2.4 / 18.3.7: QR payloads raw and unpadded base64 (whitespace ok); '=' and non-canonical base64 rejected", () => {
  const frame = encodeFrame({
    type: "auth",
    docId: new Uint8Array(8),
    index: 0,
    total: 1,
    data: enc("abcd"),
  });
  assert.deepEqual(decodeFrame(frame).data, enc("abcd"));
  const text = base64Unpadded(frame);
  const spaced = text.replace(/(.{7})/g, "$1 \n\t");
  assert.deepEqual(decodeQrPayloadText(spaced), frame);
  rejectsInput(
    () =>
      decodeQrPayloadText(text + (text.length % 4 ? "=".repeat(4 - (text.length % 4)) : "====")),
    /contains '='/,
  );
  rejectsInput(() => decodeQrPayloadText("QR="), /contains '='/);
  // "QR" and "QQ" both decode to 0x41; only "QQ" is canonical
  rejectsInput(() => decodeQrPayloadText("QR"), /not canonical/);
  assert.deepEqual(decodeQrPayloadText("QQ"), Uint8Array.of(0x41));
  rejectsInput(() => decodeQrPayloadText("Q"), /not unpadded base64/);
  rejectsInput(() => decodeQrPayloadText("QQ-_"), /not unpadded base64/);
  rejectsInput(() => decodeQrPayloadText("A".repeat(3073)), /exceeds 3072/);
});

Deno.test("18.3.1: map-style manifest file entries are out of profile", () => {
  const map = new Map<string, unknown>([
    ["version", 1],
    ["created", 1],
    ["sealed", true],
    ["seed", null],
    ["input_origin", "file"],
    ["input_roots", []],
    ["payload_codec", "raw"],
    ["path_encoding", "direct"],
    ["files", [
      new Map<string, unknown>([["path", "a"], ["size", 0], ["sha256", sha256(new Uint8Array())], [
        "mtime",
        null,
      ]]),
    ]],
  ]);
  rejectsInput(() => decodeManifest(encodeCanonical(map)), /map entries are out of profile/);
  // and the required stable-v1 keys
  map.set("files", [["a", 0, sha256(new Uint8Array()), null]]);
  assert.equal(decodeManifest(encodeCanonical(map)).files[0]?.path, "a");
  for (const key of ["input_origin", "input_roots", "path_encoding", "payload_codec"]) {
    const without = new Map(map);
    without.delete(key);
    rejectsInput(() => decodeManifest(encodeCanonical(without)), new RegExp(key));
  }
});

Deno.test("18.3.3: non-canonical or indefinite CBOR rejected for manifest, auth and shard payloads", () => {
  const seed = new Uint8Array(32).fill(4);
  const auth = encodeAuthPayload(new Uint8Array(32).fill(1), seed);
  assert.ok(verifyAuthPayload(decodeAuthPayload(auth)));
  // indefinite-length map: 0xbf + same entries + 0xff
  const indefinite = cat(Uint8Array.of(0xbf), auth.subarray(1), Uint8Array.of(0xff));
  rejectsInput(() => decodeAuthPayload(indefinite), /not valid cbor|not canonical/);
  // version 1 encoded as 0x18 0x01 (overlong int)
  const i = auth.indexOf(0x01, auth.length - 3);
  const overlong = cat(auth.subarray(0, i), Uint8Array.of(0x18, 0x01), auth.subarray(i + 1));
  rejectsInput(() => decodeAuthPayload(overlong), /not valid cbor|not canonical/);
  // keys out of canonical order: rebuild the map by hand with "version" first
  const m = decodeCanonical(auth, "x") as Map<string, unknown>;
  const parts: Uint8Array[] = [Uint8Array.of(0xa4)];
  for (const k of ["version", "hash", "pub", "sig"]) {
    parts.push(encodeCanonical(k), encodeCanonical(m.get(k)));
  }
  rejectsInput(() => decodeAuthPayload(cat(...parts)), /not canonical/);
  const shard = encodeShardPayload({
    version: 2,
    type: "passphrase",
    threshold: 1,
    shareCount: 1,
    shareIndex: 1,
    length: 2,
    share: new Uint8Array(16),
    hash: new Uint8Array(32),
    setId: new Uint8Array(16),
  }, seed);
  assert.ok(verifyShardPayload(decodeShardPayload(shard)));
  rejectsInput(
    () => decodeShardPayload(cat(Uint8Array.of(0xbf), shard.subarray(1), Uint8Array.of(0xff))),
    /cbor/,
  );
  const mb = encodeManifest(manifestOf([{ path: "a", data: enc("x") }]));
  rejectsInput(
    () => decodeManifest(cat(Uint8Array.of(0xbf), mb.subarray(1), Uint8Array.of(0xff))),
    /cbor/,
  );
  // a float where Ethernity writes one is fine; the same value re-encoded differently is not
  const fl = new Map(decodeCanonical(mb, "m") as Map<string, unknown>);
  assert.equal(decodeManifest(encodeCanonical(fl)).created, 1700000000);
});

Deno.test("18.3.4: unknown keys cannot change signature decisions or trust labels", async () => {
  const b = await makeBackup({
    files: [{ path: "a", data: enc("x") }],
    passphrase: "pw",
    workFactor: 4,
    shards: { k: 2, n: 3 },
  });
  const af = decodeFrame(b.authFrame);
  const auth = decodeCanonical(af.data, "a") as Map<string, unknown>;
  // extra keys on a valid AUTH are ignored: still authenticated
  const extra = new Map(auth);
  extra.set("authenticated", true);
  extra.set("rescue", false);
  const withExtra = encodeFrame({ ...af, data: encodeCanonical(extra) });
  const ok = await recoverBackup({ inputs: [withExtra, ...b.mainFrames], passphrase: "pw" });
  assert.equal(ok.authenticated, true);
  // extra keys claiming trust on a bad signature change nothing
  const forged = new Map(extra);
  forged.set("sig", new Uint8Array(64));
  forged.set("verified", true);
  forged.set("skip_signature", true);
  const forgedFrame = encodeFrame({ ...af, data: encodeCanonical(forged) });
  await rejectsAsync(
    recoverBackup({ inputs: [forgedFrame, ...b.mainFrames], passphrase: "pw" }),
    "auth",
    /auth signature is invalid/,
  );
  // an unknown key in a shard cannot lower the threshold or skip its signature check
  const sf = decodeFrame(b.shardFrames[0]!);
  const shard = new Map(decodeCanonical(sf.data, "s") as Map<string, unknown>);
  shard.set("threshold_override", 1);
  shard.set("unsigned_ok", true);
  const shardFrame = encodeFrame({ ...sf, data: encodeCanonical(shard) });
  await rejectsAsync(
    recoverBackup({ inputs: [b.authFrame, ...b.mainFrames, shardFrame] }),
    "insufficient",
    /need 2 shards, have 1/,
  );
  shard.set("sig", new Uint8Array(64));
  const badShard = encodeFrame({ ...sf, data: encodeCanonical(shard) });
  await rejectsAsync(
    recoverBackup({ inputs: [b.authFrame, ...b.mainFrames, badShard, b.shardFrames[1]!] }),
    "auth",
    /shard signature is invalid/,
  );
});

Deno.test("18.3.5: fallback filtering is deterministic and bounded", () => {
  // \r, \n and \r\n split lines; Unicode White_Space (NBSP, U+3000, NEL) and dashes are dropped
  const s = filterSection(
    splitSections("MAIN FRAME\rybnd-rfg8\u00a0ejkm\r\n\u3000cpqx\u0085ot1u\n")[0]!,
  );
  assert.equal(s.chars, "ybndrfg8ejkmcpqxot1u");
  assert.deepEqual([...s.lineOf].filter((_, i) => i % 4 === 0), [2, 2, 2, 3, 3]);
  // a zero-width space is not White_Space: it is a foreign character, not silently dropped
  const zw = filterSection(splitSections("MAIN FRAME\nybnd\u200brfg8\n")[0]!);
  assert.deepEqual(zw.foreign, [4]);
  rejectsInput(
    () => filterSection(splitSections("MAIN FRAME\n" + "yy\n".repeat(MAX_FALLBACK_LINES + 1))[0]!),
    /exceeds 50000 lines/,
  );
  const long = "MAIN FRAME\n" +
    ("y".repeat(1000) + "\n").repeat(MAX_FALLBACK_NORMALIZED_CHARS / 1000) + "yy\n";
  rejectsInput(() => filterSection(splitSections(long)[0]!), /exceeds 2000000 characters/);
  rejectsInput(() => splitSections("hello\nMAIN FRAME\nyy"), /before the first frame marker/);
});

Deno.test("18.3.6: AUTH or shard not bound to the ciphertext is rejected", async () => {
  const b = await makeBackup({
    files: [{ path: "a", data: enc("x") }],
    passphrase: "pw",
    workFactor: 4,
    shards: { k: 1, n: 2 },
    signingSeed: new Uint8Array(32).fill(8),
  });
  const af = decodeFrame(b.authFrame);
  const wrongHash = encodeFrame({
    ...af,
    data: encodeAuthPayload(new Uint8Array(32).fill(1), new Uint8Array(32).fill(8)),
  });
  await rejectsAsync(
    recoverBackup({ inputs: [wrongHash, ...b.mainFrames], passphrase: "pw" }),
    "mismatch",
    /^input 1: auth payload is for another document/,
  );
  const wrongId = encodeFrame({ ...af, docId: new Uint8Array(8) });
  await rejectsAsync(
    recoverBackup({ inputs: [wrongId, ...b.mainFrames], passphrase: "pw" }),
    "mismatch",
    /auth frame of another document/,
  );
  const rescued = await recoverBackup({
    inputs: [wrongHash, ...b.mainFrames],
    passphrase: "pw",
    rescue: true,
  });
  assert.equal(rescued.authenticated, false);
  const sf = decodeFrame(b.shardFrames[0]!);
  const shardWrongId = encodeFrame({ ...sf, docId: new Uint8Array(8) });
  await rejectsAsync(
    recoverBackup({ inputs: [b.authFrame, ...b.mainFrames, shardWrongId] }),
    "mismatch",
    /shard of another backup/,
  );
  const p = decodeShardPayload(sf.data);
  const { sig: _s, pub: _p, ...fields } = p;
  const shardWrongHash = encodeFrame({
    ...sf,
    data: encodeShardPayload({ ...fields, hash: new Uint8Array(32) }, new Uint8Array(32).fill(8)),
  });
  // even rescue mode refuses a KEY payload bound to another document
  await rejectsAsync(
    recoverBackup({ inputs: [b.authFrame, ...b.mainFrames, shardWrongHash], rescue: true }),
    "mismatch",
    /shard of another backup/,
  );
});

Deno.test("18.3.8: gzip payload with trailing bytes, too long or truncated is rejected", async () => {
  const data = enc("compress me ".repeat(50));
  const z = await gzip(data);
  const m = manifestOf([{ path: "a", data }], { payloadCodec: "gzip", payloadRawLen: data.length });
  const mb = encodeManifest(m);
  assert.deepEqual((await extractFiles(decodeEnvelope(encodeEnvelope(mb, z))))[0]?.data, data);
  await rejectsAsync(
    extractFiles(decodeEnvelope(encodeEnvelope(mb, cat(z, Uint8Array.of(0))))),
    "input",
    /trailing bytes/,
  );
  await rejectsAsync(
    extractFiles(decodeEnvelope(encodeEnvelope(mb, z.subarray(0, z.length - 2)))),
    "input",
    /gzip payload/,
  );
  const bigger = await gzip(cat(data, enc("more")));
  await rejectsAsync(
    extractFiles(decodeEnvelope(encodeEnvelope(mb, bigger))),
    "input",
    /more than payload_raw_len/,
  );
  rejectsInput(
    () => decodeManifest(encodeManifest({ ...m, payloadRawLen: data.length + 1 })),
    /not the sum of file sizes/,
  );
  rejectsInput(
    () => decodeManifest(encodeManifest({ ...m, payloadRawLen: 67108865 })),
    /exceeds 67108864/,
  );
});

Deno.test("18.3.9 and section 16: bad manifest paths are rejected", () => {
  const bad = ["C:notes.txt", "z:x", "/abs", "a//b", "a/./b", "../x", "a/", ""];
  for (const path of bad) {
    const map = new Map<string, unknown>([
      ["version", 1],
      ["created", 1],
      ["sealed", true],
      ["seed", null],
      ["input_origin", "file"],
      ["input_roots", []],
      ["payload_codec", "raw"],
      ["path_encoding", "direct"],
      ["files", [[path, 0, sha256(new Uint8Array()), null]]],
    ]);
    rejectsInput(() => decodeManifest(encodeCanonical(map)), /manifest/);
  }
  // NFC duplicates and prefix-table reconstruction
  const dup = new Map<string, unknown>([
    ["version", 1],
    ["created", 1],
    ["sealed", true],
    ["seed", null],
    ["input_origin", "directory"],
    ["input_roots", ["d"]],
    ["payload_codec", "raw"],
    ["path_encoding", "prefix_table"],
    ["path_prefixes", ["", "d"]],
    ["files", [[1, "caf\u00e9", 0, sha256(new Uint8Array()), null], [
      1,
      "cafe\u0301",
      0,
      sha256(new Uint8Array()),
      null,
    ]]],
  ]);
  rejectsInput(() => decodeManifest(encodeCanonical(dup)), /duplicate path/);
  dup.set("files", [[1, "x", 0, sha256(new Uint8Array()), 5], [
    0,
    "y",
    0,
    sha256(new Uint8Array()),
    null,
  ]]);
  assert.deepEqual(decodeManifest(encodeCanonical(dup)).files.map((f) => [f.path, f.mtime]), [[
    "d/x",
    5,
  ], ["y", null]]);
  dup.set("path_prefixes", ["d", ""]);
  rejectsInput(() => decodeManifest(encodeCanonical(dup)), /start with an empty prefix/);
});
