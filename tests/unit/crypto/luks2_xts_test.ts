/**
 * AES-XTS against the IEEE Std 1619-2007 Annex B test vectors (vectors 1, 2, 3, 4, 10 and the
 * 32-byte vector with data unit 0x123456789a), as also carried by QEMU's
 * tests/unit/test-crypto-xts.c; plus batching and segment IV properties.
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { xtsSectors } from "../../../crypto/luks2/xts.ts";
import { decryptSegment, encryptSegment, type Luks2Segment } from "../../../crypto/luks2/mod.ts";
import { isUserError } from "../../../errors.ts";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** 000102...ff twice. */
const PATTERN = Array.from({ length: 512 }, (_, i) => (i & 0xff).toString(16).padStart(2, "0"))
  .join("");

const VECTORS: { name: string; key: string; unit: bigint; ptx: string; ctx: string }[] = [
  {
    name: "vector 1 (XTS-AES-128, 32 B)",
    key: "00".repeat(32),
    unit: 0n,
    ptx: "00".repeat(32),
    ctx: "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e",
  },
  {
    name: "vector 2 (XTS-AES-128, 32 B)",
    key: "11".repeat(16) + "22".repeat(16),
    unit: 0x3333333333n,
    ptx: "44".repeat(32),
    ctx: "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0",
  },
  {
    name: "vector 3 (XTS-AES-128, 32 B)",
    key: "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "22".repeat(16),
    unit: 0x3333333333n,
    ptx: "44".repeat(32),
    ctx: "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89",
  },
  {
    name: "XTS-AES-128, 32 B, data unit 0x123456789a",
    key: "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0",
    unit: 0x123456789an,
    ptx: "44".repeat(32),
    ctx: "b01f86f8edc1863706fa8a4253e34f28af319de38334870f4dd1f94cbe9832f1",
  },
  {
    name: "vector 4 (XTS-AES-128, 512 B)",
    key: "2718281828459045235360287471352631415926535897932384626433832795",
    unit: 0n,
    ptx: PATTERN,
    ctx: "27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c" +
      "c78cf7f5e543445f8333d8fa7f56000005279fa5d8b5e4ad40e736ddb4d35412" +
      "328063fd2aab53e5ea1e0a9f332500a5df9487d07a5c92cc512c8866c7e860ce" +
      "93fdf166a24912b422976146ae20ce846bb7dc9ba94a767aaef20c0d61ad0265" +
      "5ea92dc4c4e41a8952c651d33174be51a10c421110e6d81588ede82103a252d8" +
      "a750e8768defffed9122810aaeb99f9172af82b604dc4b8e51bcb08235a6f434" +
      "1332e4ca60482a4ba1a03b3e65008fc5da76b70bf1690db4eae29c5f1badd03c" +
      "5ccf2a55d705ddcd86d449511ceb7ec30bf12b1fa35b913f9f747a8afd1b130e" +
      "94bff94effd01a91735ca1726acd0b197c4e5b03393697e126826fb6bbde8ecc" +
      "1e08298516e2c9ed03ff3c1b7860f6de76d4cecd94c8119855ef5297ca67e9f3" +
      "e7ff72b1e99785ca0a7e7720c5b36dc6d72cac9574c8cbbc2f801e23e56fd344" +
      "b07f22154beba0f08ce8891e643ed995c94d9a69c9f1b5f499027a78572aeebd" +
      "74d20cc39881c213ee770b1010e4bea718846977ae119f7a023ab58cca0ad752" +
      "afe656bb3c17256a9f6e9bf19fdd5a38fc82bbe872c5539edb609ef4f79c203e" +
      "bb140f2e583cb2ad15b4aa5b655016a8449277dbd477ef2c8d6c017db738b18d" +
      "eb4a427d1923ce3ff262735779a418f20a282df920147beabe421ee5319d0568",
  },
  {
    name: "vector 10 (XTS-AES-256, 512 B)",
    key: "2718281828459045235360287471352662497757247093699959574966967627" +
      "3141592653589793238462643383279502884197169399375105820974944592",
    unit: 0xffn,
    ptx: PATTERN,
    ctx: "1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b" +
      "5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd" +
      "5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0" +
      "c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca" +
      "2a3e7a7d7df7b10355165c8b9a6d0a7de8b062c4500dc4cd120c0f7418dae3d0" +
      "b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f" +
      "93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec" +
      "583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba02469a020a" +
      "84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1" +
      "505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae" +
      "9be69a2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29" +
      "a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac" +
      "6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f" +
      "645e8b7e9bfdef33943054ff84011493c27b3429eaedb4ed5376441a77ed4385" +
      "1ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa" +
      "773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151",
  },
];

for (const v of VECTORS) {
  Deno.test(`aes-xts IEEE 1619 ${v.name}`, () => {
    const key = hex(v.key);
    const ptx = hex(v.ptx);
    const size = ptx.length;
    assert.equal(toHex(xtsSectors(true, key, size, v.unit, 1n, ptx)), v.ctx);
    assert.equal(toHex(xtsSectors(false, key, size, v.unit, 1n, hex(v.ctx))), v.ptx);
  });
}

Deno.test("aes-xts: one batched call equals sector-by-sector calls (both key sizes)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(32, 64),
      fc.constantFrom(512, 4096),
      fc.integer({ min: 1, max: 20 }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 100n }),
      fc.constantFrom(1n, 8n),
      fc.integer({ min: 0, max: 1000 }),
      (keyLen, sector, count, first, step, seed) => {
        const key = Uint8Array.from({ length: keyLen }, (_, i) => (i * 31 + seed) & 0xff);
        const data = Uint8Array.from({ length: sector * count }, (_, i) => (i * 7 + seed) & 0xff);
        const whole = xtsSectors(true, key, sector, first, step, data);
        for (let s = 0; s < count; s++) {
          const one = xtsSectors(
            true,
            key,
            sector,
            first + BigInt(s) * step,
            step,
            data.subarray(s * sector, (s + 1) * sector),
          );
          assert.deepEqual(one, whole.subarray(s * sector, (s + 1) * sector));
        }
        assert.deepEqual(xtsSectors(false, key, sector, first, step, whole), data);
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("aes-xts: unaligned input views and inputs larger than one internal chunk", () => {
  const key = Uint8Array.from({ length: 64 }, (_, i) => i);
  const big = new Uint8Array((9 << 20) + 1);
  for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
  const view = big.subarray(1); // byteOffset 1: not 4-byte aligned
  const enc = xtsSectors(true, key, 4096, 5n, 8n, view);
  const tail = xtsSectors(true, key, 4096, 5n + 8n * 2048n, 8n, view.subarray(8 << 20));
  assert.deepEqual(enc.subarray(8 << 20), tail);
  assert.deepEqual(xtsSectors(false, key, 4096, 5n, 8n, enc), view);
});

Deno.test("aes-xts: bad key sizes and partial sectors are input errors", () => {
  assert.throws(
    () => xtsSectors(true, new Uint8Array(48), 512, 0n, 1n, new Uint8Array(512)),
    (e) => isUserError(e, "input"),
  );
  assert.throws(
    () => xtsSectors(true, new Uint8Array(64), 512, 0n, 1n, new Uint8Array(100)),
    (e) => isUserError(e, "input"),
  );
});

Deno.test("segment: plain64 IV is offset/512 + iv_tweak, also for 4096-byte sectors", () => {
  const key = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
  const data = Uint8Array.from({ length: 3 * 4096 }, (_, i) => i & 0xff);
  const seg: Luks2Segment = {
    offset: 1 << 20,
    sectorSize: 4096,
    ivTweak: 3,
    cipher: "aes-xts-plain64",
    size: "dynamic",
  };
  const enc = encryptSegment(seg, key, 8192, data);
  assert.deepEqual(enc, xtsSectors(true, key, 4096, 16n + 3n, 8n, data));
  assert.deepEqual(decryptSegment(seg, key, 8192, enc), data);
  assert.throws(() => decryptSegment(seg, key, 512, data), RangeError);
  assert.throws(
    () => decryptSegment({ ...seg, cipher: "aes-cbc-essiv:sha256" }, key, 0, data),
    (e) => isUserError(e, "input") && /unsupported cipher/.test(e.message),
  );
});
