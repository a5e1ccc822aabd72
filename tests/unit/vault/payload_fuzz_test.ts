/**
 * Fuzzing the vault payload reader (vault/tar.ts `readTar`, vault/payload.ts `decodePayload`):
 * random bytes, bit flips, truncations and re-checksummed header mutations give documents or a
 * ParaduxError, never a raw exception or a near-hang. A flipped bit in a tar header block (the
 * checksummed part) is always refused. The payload has no checksum over file contents (LUKS2
 * with aes-xts does not authenticate either), so a flip inside a document may give another
 * valid document; the properties only demand a typed outcome there.
 * Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodePayload, encodePayload } from "../../../vault/payload.ts";
import { initialDocuments } from "../../../vault/documents.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { BLOCK, readTar } from "../../../vault/tar.ts";
import { flipBit, fuzzRuns, outcome } from "../../helpers/fuzz.ts";

const DOCS = initialDocuments(await newSecrets(2), "Ann");
const PAYLOAD = encodePayload(DOCS, 4096, 1700000000);
const ENTRIES = readTar(PAYLOAD);

/** Start offsets of the header blocks and of the end-of-archive marker. */
const HEADER_BLOCKS: number[] = [];
let END_MARKER = 0;
{
  let pos = 0;
  for (const e of ENTRIES) {
    HEADER_BLOCKS.push(pos);
    pos += BLOCK + Math.ceil(e.data.length / BLOCK) * BLOCK;
  }
  END_MARKER = pos;
}

/** The tar header checksum: byte sum with the checksum field counted as spaces. */
function resum(block: Uint8Array): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
}

function decodeOutcome(bytes: Uint8Array) {
  const r = outcome(() => decodePayload(bytes));
  if (!r.ok) assert.equal(r.error.kind, "input", r.error.message);
  return r;
}

Deno.test("payload fuzz: the sample has six members and decodes", () => {
  assert.equal(ENTRIES.length, 6);
  assert.deepEqual(decodePayload(PAYLOAD).docs, DOCS);
});

Deno.test("payload fuzz: random bytes give documents or an input error", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), (bytes, prefixed) => {
      // half the cases start with a real first header so that reading gets further
      const data = prefixed ? Uint8Array.from([...PAYLOAD.subarray(0, BLOCK), ...bytes]) : bytes;
      decodeOutcome(data);
      const t = outcome(() => readTar(data));
      if (!t.ok) assert.equal(t.error.kind, "input");
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("payload fuzz: a flipped bit in any tar header block is refused", () => {
  const blocks = [...HEADER_BLOCKS, END_MARKER];
  const field = fc.integer({ min: 0, max: BLOCK - 1 })
    // the checksum field's own padding ("0" vs " ", NUL vs space) carries no data
    .filter((at) => at < 148 || at >= 156);
  fc.assert(
    fc.property(fc.constantFrom(...blocks), field, fc.nat(7), (block, at, bit) => {
      const r = decodeOutcome(flipBit(PAYLOAD, block + at, bit));
      assert.ok(!r.ok, `flip at ${block + at} accepted`);
      assert.match(r.error.message, /not a valid tar archive/);
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("payload fuzz: a flipped bit anywhere gives documents or an input error", () => {
  fc.assert(
    fc.property(fc.nat(PAYLOAD.length - 1), fc.nat(7), (at, bit) => {
      const r = decodeOutcome(flipBit(PAYLOAD, at, bit));
      if (at >= END_MARKER + BLOCK) assert.ok(r.ok, "bytes after the end marker are ignored");
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("payload fuzz: truncations are refused until the end marker is complete", () => {
  fc.assert(
    fc.property(fc.nat(PAYLOAD.length), (length) => {
      const r = decodeOutcome(PAYLOAD.subarray(0, length));
      assert.equal(r.ok, length >= END_MARKER + BLOCK, `length ${length}`);
    }),
    { numRuns: fuzzRuns(1000) },
  );
});

Deno.test("payload fuzz: re-checksummed header mutations give documents or an input error", () => {
  const octal = fc.oneof(
    fc.nat().map((n) => n.toString(8)),
    fc.constantFrom("77777777777", "7777777777777", "", " ", "8", "-1", "0x10", "1e9"),
  );
  const fieldEdit = fc.oneof(
    fc.tuple(fc.constantFrom(124, 100, 136), octal), // size, mode, mtime
    fc.tuple(fc.constant(156), fc.constantFrom("0", "\0", "5", "1", "2", "L", "x", "g")),
    fc.tuple(fc.constantFrom(0, 345), fc.string({ maxLength: 30 })), // name, prefix
    fc.tuple(fc.constant(257), fc.constantFrom("ustar", "ustar ", "USTAR", "")),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...HEADER_BLOCKS),
      fc.array(fieldEdit, { minLength: 1, maxLength: 3 }),
      (block, edits) => {
        const bad = PAYLOAD.slice();
        const h = bad.subarray(block, block + BLOCK);
        for (const [at, text] of edits) {
          const len = at === 124 || at === 136 ? 12 : at === 156 ? 1 : at === 257 ? 6 : 8;
          const width = at === 0 ? 100 : at === 345 ? 155 : len;
          h.fill(0, at, at + width);
          h.set(new TextEncoder().encode(text).subarray(0, width), at);
        }
        resum(h);
        decodeOutcome(bad);
        const t = outcome(() => readTar(bad));
        if (!t.ok) assert.equal(t.error.kind, "input");
        else for (const e of t.value) assert.ok(e.data.length <= bad.length);
      },
    ),
    { numRuns: fuzzRuns(2000) },
  );
});
