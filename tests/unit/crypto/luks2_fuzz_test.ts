/**
 * Fuzzing the LUKS2 header parser and keyslot opening on a header cryptsetup makes here (cheap
 * pbkdf2, two keyslots): random bytes, bit flips and truncations give a header or a ParaduxError,
 * never a raw exception or a near-hang; a flipped bit anywhere in a checksummed header copy makes
 * the parser drop that copy (the other one is used, with a warning naming the damaged one, or
 * the file is refused when both are hit); a flipped bit in a keyslot area never yields a wrong
 * volume key. Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import {
  type Luks2Header,
  parseLuks2Header,
  unlockVolumeKey,
  usableKeyslots,
} from "../../../crypto/luks2/mod.ts";
import { dataSegment } from "../../../crypto/luks2/segment.ts";
import { CHECKSUM_OFFSET } from "../../../crypto/luks2/header.ts";
import { flipBit, fuzzRuns, outcome, outcomeAsync } from "../../helpers/fuzz.ts";

const COPY = 16384;
const PASS0 = new TextEncoder().encode("fuzz pass zero");
const PASS1 = new TextEncoder().encode("fuzz pass one");

/** A 2-keyslot LUKS2 file made by cryptsetup (16 KiB header copies, 1 MiB keyslots area). */
async function makeVault(): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-luks2-fuzz-" });
  try {
    const file = join(dir, "v.luks");
    await Deno.writeFile(join(dir, "k0"), PASS0);
    await Deno.writeFile(join(dir, "k1"), PASS1);
    await Deno.writeFile(file, new Uint8Array((2 << 20) + 8192));
    const cheap = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"];
    const steps = [
      ["luksFormat", "--batch-mode", "--type", "luks2", "--luks2-metadata-size", "16k"]
        .concat(["--luks2-keyslots-size", "1m", ...cheap, "--key-file", join(dir, "k0"), file]),
      [
        "luksAddKey",
        "--batch-mode",
        ...cheap,
        "--key-file",
        join(dir, "k0"),
        file,
        join(dir, "k1"),
      ],
    ];
    for (const args of steps) {
      const out = await new Deno.Command("cryptsetup", { args, stdout: "null", stderr: "piped" })
        .output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    }
    return await Deno.readFile(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const VAULT = await makeVault();
const HEADERS = VAULT.subarray(0, 2 * COPY);
const GOOD = parseLuks2Header(HEADERS);
const TRUE_KEY = (await unlockVolumeKey(GOOD, VAULT, PASS0)).volumeKey;
const SLOT0_AREA = GOOD.json.keyslots["0"]!.area!;
/** sha256 uses the first 32 bytes of the 64-byte checksum field; the rest is unused padding. */
const UNUSED_CHECKSUM = [CHECKSUM_OFFSET + 32, CHECKSUM_OFFSET + 64] as const;

function sameMetadata(h: Luks2Header): void {
  assert.equal(h.uuid, GOOD.uuid);
  assert.equal(h.seqid, GOOD.seqid);
  assert.deepEqual(h.json, GOOD.json);
}

Deno.test("luks2 fuzz: the cryptsetup-made header parses, both copies intact", () => {
  assert.equal(GOOD.copy, "primary");
  assert.deepEqual(GOOD.warnings, []);
  assert.deepEqual(usableKeyslots(GOOD), ["0", "1"]);
  assert.equal(dataSegment(GOOD).offset, 2 << 20);
});

Deno.test("luks2 fuzz: random bytes give a header or a ParaduxError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3 * COPY }), fc.boolean(), (bytes, magic) => {
      // half the cases start with the real binary header so that parsing gets further
      const data = magic ? Uint8Array.from([...HEADERS.subarray(0, 512), ...bytes]) : bytes;
      const r = outcome(() => parseLuks2Header(data));
      if (!r.ok) assert.equal(r.error.kind, "input");
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("luks2 fuzz: a flipped bit in one checksummed copy drops that copy, never accepted", () => {
  const position = fc.integer({ min: 0, max: COPY - 1 }).filter((at) =>
    at < UNUSED_CHECKSUM[0] || at >= UNUSED_CHECKSUM[1]
  );
  fc.assert(
    fc.property(
      position,
      fc.integer({ min: 0, max: 7 }),
      fc.constantFrom(0, COPY),
      (at, bit, copyAt) => {
        const r = outcome(() => parseLuks2Header(flipBit(HEADERS, copyAt + at, bit)));
        assert.ok(r.ok, `flip at ${copyAt + at}: the intact copy must still be used`);
        const h = r.value;
        const damaged = copyAt === 0 ? "primary" : "secondary";
        assert.equal(h.copy, copyAt === 0 ? "secondary" : "primary");
        assert.equal(h.warnings.length, 1);
        assert.ok(h.warnings[0]!.startsWith(`${damaged}: `), h.warnings[0]);
        sameMetadata(h);
      },
    ),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("luks2 fuzz: flipped bits in both copies are refused as input errors", () => {
  const position = fc.integer({ min: 0, max: COPY - 1 }).filter((at) =>
    at < UNUSED_CHECKSUM[0] || at >= UNUSED_CHECKSUM[1]
  );
  fc.assert(
    fc.property(position, position, fc.nat(7), fc.nat(7), (a, b, bitA, bitB) => {
      const bad = flipBit(flipBit(HEADERS, a, bitA), COPY + b, bitB);
      const r = outcome(() => parseLuks2Header(bad));
      assert.ok(!r.ok, `flips at ${a} and ${COPY + b} were accepted`);
      assert.equal(r.error.kind, "input");
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("luks2 fuzz: truncations and random overwrites give a header or a ParaduxError", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 * COPY }),
      fc.array(fc.tuple(fc.nat(2 * COPY - 1), fc.nat(255)), { maxLength: 8 }),
      (length, edits) => {
        const bad = HEADERS.slice();
        for (const [at, v] of edits) bad[at] = v;
        const r = outcome(() => parseLuks2Header(bad.subarray(0, length)));
        if (edits.length === 0) {
          // an untouched prefix: one whole copy is enough, less is refused
          assert.equal(r.ok, length >= COPY, `length ${length}`);
          if (r.ok) sameMetadata(r.value);
        }
        if (r.ok) outcome(() => dataSegment(r.value));
      },
    ),
    { numRuns: fuzzRuns(1000) },
  );
});

Deno.test("luks2 fuzz: a flipped bit in a keyslot area never yields a wrong volume key", async () => {
  const materialEnd = SLOT0_AREA.offset + 4000 * 64;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: SLOT0_AREA.offset, max: materialEnd - 1 }),
      fc.nat(7),
      async (at, bit) => {
        const bad = flipBit(VAULT, at, bit);
        const r = await outcomeAsync(() => unlockVolumeKey(GOOD, bad, PASS0, 0));
        assert.ok(!r.ok, `flip at ${at} opened keyslot 0`);
        assert.equal(r.error.kind, "auth");
        // keyslot 1 is untouched and still opens to the true key
        const other = await unlockVolumeKey(GOOD, bad, PASS1);
        assert.deepEqual(other.volumeKey, TRUE_KEY);
      },
    ),
    { numRuns: fuzzRuns(40) },
  );
});
