/**
 * Hang fuzzing of every parser of untrusted input, each call in a worker that is terminated when
 * it runs longer than the bound (tests/helpers/fuzz_guard.ts): the LUKS2 header parser, the tar
 * reader, the vault payload decoder, the document checker (and its JSON parser), and the paper
 * decoders (frame, z-base-32, QR payload text, envelope, manifest, AUTH and shard payloads,
 * fallback text with typo repair). Inputs are random bytes or text and mutations of valid
 * samples. Each call returns a result or a ParaduxError; a raw exception or a hang fails the test
 * naming the function and input. Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { HangGuard } from "../../helpers/fuzz_guard.ts";
import { fuzzRuns } from "../../helpers/fuzz.ts";
import { encodePayload } from "../../../vault/payload.ts";
import { DOCUMENT_NAMES, documentText, initialDocuments } from "../../../vault/documents.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { encodeEnvelope } from "../../../paper/format/envelope.ts";
import { sampleAuth, sampleFrame, sampleShard } from "../../helpers/paper_samples.ts";
import { makeBackup } from "../../../paper/backup.ts";

const url = (path: string) => new URL(`../../../${path}`, import.meta.url);
const LUKS2 = Deno.readFileSync(
  new URL("../../fixtures/luks2/two-slots-header.bin", import.meta.url),
);
const DOCS = initialDocuments(await newSecrets(2), "Ann");
const PAYLOAD = encodePayload(DOCS, 512);
const FRAME = sampleFrame(200);
const AUTH = sampleAuth();
const SHARD = sampleShard();
const BACKUP = await makeBackup({
  files: [{ path: "a.txt", data: new TextEncoder().encode("hang fuzz") }],
  workFactor: 4,
});
const ENVELOPE = new Uint8Array(encodeEnvelope(new Uint8Array([0xa0]), new Uint8Array(3)));

/** Random bytes, or the sample with some bytes changed, then maybe cut. */
function mutatedBytes(sample: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2048 }),
    fc.tuple(
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }),
      fc.nat(),
    ).map(([edits, cut]) => {
      const out = new Uint8Array(sample);
      for (const [at, v] of edits) out[at % out.length] = v;
      return cut % 3 === 0 ? out.subarray(0, cut % (out.length + 1)) : out;
    }),
  );
}

/** Random text, or the sample with some characters replaced, inserted or removed. */
function mutatedText(sample: string, alphabet: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 400 }),
    fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...alphabet)), {
      minLength: 1,
      maxLength: 8,
    }).map((edits) => {
      let t = sample;
      for (const [at, op, c] of edits) {
        const i = at % (t.length + 1);
        t = op === 0
          ? t.slice(0, i) + c + t.slice(i + 1)
          : op === 1
          ? t.slice(0, i) + c + t.slice(i)
          : t.slice(0, i) + t.slice(i + 1);
      }
      return t;
    }),
  );
}

const ZB32 = "ybndrfg8ejkmcpqxot1uwisza345h769 \n-=+/0lvAUTHMINFRE";
const JSONISH = '{}[],:"\\ 0123456789.eE+-truefalsnu\n\t/';

type Target = {
  module: string;
  fn: string;
  arb: fc.Arbitrary<unknown[]>;
};

const TARGETS: Target[] = [
  {
    module: "crypto/luks2/header.ts",
    fn: "parseLuks2Header",
    arb: mutatedBytes(LUKS2).map((b) => [b]),
  },
  { module: "vault/tar.ts", fn: "readTar", arb: mutatedBytes(PAYLOAD).map((b) => [b]) },
  {
    module: "vault/payload.ts",
    fn: "decodePayload",
    arb: mutatedBytes(PAYLOAD).map((b) => [b]),
  },
  {
    module: "vault/schema.ts",
    fn: "parseDocument",
    arb: fc.constantFrom(...DOCUMENT_NAMES).chain((name) =>
      mutatedText(documentText(DOCS[name]), JSONISH).map((t) => [name, t])
    ),
  },
  {
    module: "vault/schema.ts",
    fn: "checkDocumentText",
    arb: mutatedText(documentText(DOCS.datasets), JSONISH).map((t) => ["datasets", t]),
  },
  { module: "paper/format/frame.ts", fn: "decodeFrame", arb: mutatedBytes(FRAME).map((b) => [b]) },
  {
    module: "paper/format/zbase32.ts",
    fn: "decodeZbase32",
    arb: mutatedText("ybndrfg8ejkmcpqx", ZB32).map((t) => [t]),
  },
  {
    module: "paper/format/qr_payload.ts",
    fn: "decodeQrPayloadText",
    arb: mutatedText("QVAB", ZB32).map((t) => [t]),
  },
  {
    module: "paper/format/envelope.ts",
    fn: "decodeEnvelope",
    arb: mutatedBytes(ENVELOPE).map((b) => [b]),
  },
  {
    module: "paper/format/manifest.ts",
    fn: "decodeManifest",
    arb: mutatedBytes(new Uint8Array([0xa0])).map((b) => [b]),
  },
  {
    module: "paper/format/auth.ts",
    fn: "decodeAuthPayload",
    arb: mutatedBytes(AUTH).map((b) => [b]),
  },
  {
    module: "paper/format/shard.ts",
    fn: "decodeShardPayload",
    arb: mutatedBytes(SHARD).map((b) => [b]),
  },
  {
    module: "paper/inputs.ts",
    fn: "framesOfInput",
    arb: mutatedText(BACKUP.recoveryText, ZB32).map((t) => [t, 1]),
  },
];

Deno.test("hang guard: an endless loop is stopped and reported with its input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paradux-hang-" });
  const guard = new HangGuard(500);
  try {
    const file = join(dir, "spin.ts");
    await Deno.writeTextFile(file, "export function spin(_x: unknown) { while (true) {} }\n");
    await assert.rejects(
      guard.call(new URL(`file://${file}`), "spin", new Uint8Array([1, 2])),
      /spin did not return within 500 ms: a hang on 2 bytes 0102/,
    );
    const after = await guard.call(url("paper/format/zbase32.ts"), "decodeZbase32", "yy");
    assert.ok(after.ok, "a new worker serves the next call");
  } finally {
    guard.close();
    await Deno.remove(dir, { recursive: true });
  }
});

for (const t of TARGETS) {
  Deno.test(`no-hang fuzz: ${t.fn} returns or throws ParaduxError within the bound`, async () => {
    const guard = new HangGuard(5000);
    try {
      await fc.assert(
        fc.asyncProperty(t.arb, async (args) => {
          await guard.call(url(t.module), t.fn, ...args);
        }),
        { numRuns: fuzzRuns(300) },
      );
    } finally {
      guard.close();
    }
  });
}
