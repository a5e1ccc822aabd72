/**
 * Fuzzing the whole read path of a real vault (made once here with cryptsetup and the cheap test
 * KDF): a flipped bit anywhere in the vault file gives the original documents (the bit was in
 * an unused or redundant area: padding after the archive, the other header copy, an unused
 * keyslot sector) or a ParaduxError — never a raw exception and never other documents. The data
 * segment is aes-xts, so a flipped bit garbles a whole 16-byte block of the tar archive, which
 * the tar checksums, UTF-8 and JSON checks and the schemas must catch.
 * Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import {
  dataSegment,
  decryptSegment,
  parseLuks2Header,
  segmentLength,
  unlockVolumeKey,
} from "../../../crypto/luks2/mod.ts";
import { decodePayload } from "../../../vault/payload.ts";
import { createVault, openVaultFile, vaultPath } from "../../../vault/vault.ts";
import { TEST_ARGON2ID } from "../../../system/cryptsetup.ts";
import { flipBit, fuzzRuns, outcome, outcomeAsync } from "../../helpers/fuzz.ts";
import { newVaultSecrets } from "../../../stewards/recovery_card.ts";

const PASS = new TextEncoder().encode("vault fuzz passphrase");
const HOME = await Deno.makeTempDir({ prefix: "paradux-vault-fuzz-" });
const ORIGINAL = await createVault(HOME, PASS, {
  secrets: await newVaultSecrets(2),
  pbkdf: TEST_ARGON2ID,
});
const FILE = await Deno.readFile(vaultPath(HOME));
await Deno.remove(HOME, { recursive: true });
const HEADER = parseLuks2Header(FILE);
const SEGMENT = dataSegment(HEADER);
const { volumeKey: KEY } = await unlockVolumeKey(HEADER, FILE, PASS);
const USED_END = SEGMENT.offset + Math.ceil(ORIGINAL.usedBytes / 4096) * 4096;

/** The engine's read path with the volume key known (as openVaultFile after unlocking). */
function readDocs(file: Uint8Array) {
  const header = parseLuks2Header(file);
  const seg = dataSegment(header);
  const len = segmentLength(seg, file.length);
  return decodePayload(decryptSegment(seg, KEY, 0, file.subarray(seg.offset, seg.offset + len)))
    .docs;
}

Deno.test("vault fuzz: the sample opens to its documents", () => {
  assert.deepEqual(readDocs(FILE), ORIGINAL.docs);
  assert.ok(USED_END > SEGMENT.offset && USED_END < FILE.length);
});

Deno.test("vault fuzz: a flipped bit in the data segment gives the same documents or an input error", () => {
  const position = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: SEGMENT.offset, max: USED_END - 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: SEGMENT.offset, max: FILE.length - 1 }) },
  );
  fc.assert(
    fc.property(position, fc.nat(7), (at, bit) => {
      const r = outcome(() => readDocs(flipBit(FILE, at, bit)));
      if (r.ok) assert.deepEqual(r.value, ORIGINAL.docs, `flip at ${at} gave other documents`);
      else assert.equal(r.error.kind, "input");
      if (at >= USED_END) assert.ok(r.ok, `flip at ${at} after the archive`);
    }),
    { numRuns: fuzzRuns(500) },
  );
});

Deno.test("vault fuzz: a flipped bit anywhere in the file, opened with the passphrase", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paradux-vault-fuzz-open-" });
  try {
    const path = join(dir, "vault.luks");
    await fc.assert(
      fc.asyncProperty(fc.nat(FILE.length - 1), fc.nat(7), async (at, bit) => {
        await Deno.writeFile(path, flipBit(FILE, at, bit));
        const r = await outcomeAsync(() => openVaultFile(path, PASS));
        if (r.ok) assert.deepEqual(r.value.docs, ORIGINAL.docs, `flip at ${at}`);
        else assert.ok(["input", "auth"].includes(r.error.kind), r.error.message);
      }),
      { numRuns: fuzzRuns(40) },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
