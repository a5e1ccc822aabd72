/**
 * The LUKS anti-forensic splitter: the diffusion against an independent transcription of
 * cryptsetup's lib/luks1/af.c (diffuse = H(be32(i) || chunk) per digest-sized chunk), merge as
 * the inverse of split for every supported hash, and malformed parameters as input errors.
 * (Agreement with cryptsetup's real keyslots is proven in tests/integration/luks2_engine_test.ts.)
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afMerge, afSplit, diffuse } from "../../../crypto/luks2/af.ts";
import { isUserError } from "../../../errors.ts";

/** cryptsetup's diffuse(), written out independently with node:crypto and a DataView. */
function referenceDiffuse(src: Uint8Array, hash: string, digestSize: number): Uint8Array {
  const out: number[] = [];
  const blocks = Math.floor(src.length / digestSize);
  const padding = src.length % digestSize;
  const hashBuf = (i: number, part: Uint8Array) => {
    const iv = new Uint8Array(4);
    new DataView(iv.buffer).setUint32(0, i, false);
    return new Uint8Array(createHash(hash).update(iv).update(part).digest());
  };
  for (let i = 0; i < blocks; i++) {
    out.push(...hashBuf(i, src.subarray(i * digestSize, (i + 1) * digestSize)));
  }
  if (padding > 0) {
    out.push(...hashBuf(blocks, src.subarray(blocks * digestSize)).subarray(0, padding));
  }
  return Uint8Array.from(out);
}

const SIZES: Record<string, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

Deno.test("af: diffuse matches the af.c transcription for key sizes that are not digest multiples", () => {
  for (const [hash, size] of Object.entries(SIZES)) {
    for (const len of [16, 32, 33, 64, 65, 100]) {
      const block = Uint8Array.from({ length: len }, (_, i) => (i * 17 + len) & 0xff);
      assert.deepEqual(diffuse(block, hash), referenceDiffuse(block, hash, size), `${hash}/${len}`);
    }
  }
});

Deno.test("af: merge(split(key)) == key for every supported hash", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("sha1", "sha256", "sha384", "sha512"),
      fc.uint8Array({ minLength: 16, maxLength: 80 }),
      fc.integer({ min: 1, max: 50 }),
      (hash, key, stripes) => {
        const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
        const material = afSplit(key, stripes, hash, random);
        assert.equal(material.length, key.length * stripes);
        assert.deepEqual(afMerge(material, key.length, stripes, hash), key);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("af: one stripe is the key itself; a flipped bit anywhere changes the merged key", () => {
  const key = Uint8Array.from({ length: 64 }, (_, i) => i);
  assert.deepEqual(afMerge(key, 64, 1, "sha256"), key);
  const material = afSplit(key, 4000, "sha256", (n) => crypto.getRandomValues(new Uint8Array(n)));
  for (const at of [0, 12345, 255999]) {
    const bad = material.slice();
    bad[at] = bad[at]! ^ 1;
    assert.notDeepEqual(afMerge(bad, 64, 4000, "sha256"), key);
  }
});

Deno.test("af: short material and unknown hashes are input errors", () => {
  assert.throws(
    () => afMerge(new Uint8Array(100), 64, 4000, "sha256"),
    (e) => isUserError(e, "input"),
  );
  assert.throws(
    () => afMerge(new Uint8Array(128), 64, 2, "whirlpool"),
    (e) => isUserError(e, "input") && /unsupported hash/.test(e.message),
  );
});
