/**
 * Fuzzing of every parser that sees untrusted input: each returns a result or throws a
 * ParaduxError, never anything else. PARADUX_FUZZ_RUNS (or FUZZ_RUNS) sets the runs per property (default 1000).
 */
import fc from "fast-check";
import { ParaduxError } from "../../../errors.ts";
import { decodeFrame } from "../../../paper/format/frame.ts";
import { decodeZbase32, encodeZbase32 } from "../../../paper/format/zbase32.ts";
import { decodeEnvelope, encodeEnvelope } from "../../../paper/format/envelope.ts";
import { decodeManifest, encodeManifest } from "../../../paper/format/manifest.ts";
import { decodeAuthPayload } from "../../../paper/format/auth.ts";
import { decodeShardPayload } from "../../../paper/format/shard.ts";
import { decodeQrPayloadText } from "../../../paper/format/qr_payload.ts";
import { framesOfInput } from "../../../paper/inputs.ts";
import { fallbackLines } from "../../../paper/format/fallback_text.ts";
import { sha256 } from "../../../crypto/hashes.ts";
import { SAMPLE_SEED, sampleAuth, sampleFrame, sampleShard } from "../../helpers/paper_samples.ts";

const RUNS = Number(Deno.env.get("PARADUX_FUZZ_RUNS") ?? Deno.env.get("FUZZ_RUNS") ?? "1000");

function onlyParaduxErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
  }
}

const seed = SAMPLE_SEED;
const validFrame = sampleFrame(40);
const validAuth = sampleAuth();
const validShard = sampleShard();
const validManifest = encodeManifest({
  created: 1,
  sealed: false,
  seed,
  inputOrigin: "mixed",
  inputRoots: ["d"],
  payloadCodec: "raw",
  payloadRawLen: null,
  pathEncoding: "prefix_table",
  files: [
    { path: "d/a", size: 1, sha256: sha256(Uint8Array.of(1)), mtime: 5 },
    { path: "z", size: 0, sha256: sha256(new Uint8Array()), mtime: null },
  ],
});
const validEnvelope = encodeEnvelope(validManifest, Uint8Array.of(1));

/** Random bytes, or a valid sample with a few bytes changed, inserted or cut. */
function mutated(valid: Uint8Array) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.nat(),
      fc.nat(),
    )
      .map(([edits, cutAt, cutLen]) => {
        const out = new Uint8Array(valid);
        for (const [at, v] of edits) out[at % out.length] = v;
        const cut = cutAt % (out.length + 1);
        return cutLen % 3 === 0
          ? out
          : Uint8Array.from([...out.subarray(0, cut), ...out.subarray(cut + (cutLen % 5))]);
      }),
  );
}

const cases: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
  ["frame", validFrame, (b) => decodeFrame(b)],
  ["envelope/manifest", validEnvelope, (b) => decodeEnvelope(b)],
  ["manifest", validManifest, (b) => decodeManifest(b)],
  ["auth payload", validAuth, (b) => decodeAuthPayload(b)],
  ["shard payload", validShard, (b) => decodeShardPayload(b)],
  ["frame input bytes", validFrame, (b) => framesOfInput(b, 1)],
];

for (const [name, valid, parse] of cases) {
  Deno.test(`fuzz ${name}: results or ParaduxError only`, () => {
    fc.assert(fc.property(mutated(valid), (b) => onlyParaduxErrors(() => parse(b))), {
      numRuns: RUNS,
    });
  });
}

Deno.test("fuzz z-base-32 and QR payload text: results or ParaduxError only", () => {
  const zchars = fc.string({
    unit: fc.constantFrom(..."ybndrfg8ejkmcpqxot1uwisza345h769lv02=+/ -\n"),
  });
  fc.assert(
    fc.property(zchars, (s) => {
      onlyParaduxErrors(() => decodeZbase32(s));
      onlyParaduxErrors(() => decodeQrPayloadText(s));
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      if (decodeZbase32(encodeZbase32(b)).join() !== b.join()) throw new Error("round trip");
    }),
    { numRuns: RUNS },
  );
});

Deno.test("fuzz fallback text (markers, line numbers, typos): results or ParaduxError only", () => {
  const text = fallbackLines(validFrame, { lineNumbers: true });
  const arb = fc.tuple(
    fc.constantFrom("MAIN FRAME\n", "AUTH FRAME\n", "", "== shard frame ==\n", "junk\n"),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(),
        fc.constantFrom(..."ybndrfg8ejkmcpqxot1uwisza345h769l0 -.\u00a0\r\n"),
      ),
    ),
    fc.string({ maxLength: 20 }),
  ).map(([marker, edits, tail]) => {
    const lines = [...text];
    for (const [l, c, ch] of edits) {
      const i = l % lines.length;
      const line = lines[i] ?? "";
      const at = c % (line.length + 1);
      lines[i] = line.slice(0, at) + ch + line.slice(at + 1);
    }
    return marker + lines.join("\n") + tail;
  });
  fc.assert(fc.property(arb, (t) => onlyParaduxErrors(() => framesOfInput(t, 1))), {
    numRuns: RUNS,
  });
});
