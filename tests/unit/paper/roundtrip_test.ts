import assert from "node:assert/strict";
import fc from "fast-check";
import { makeBackup, recoverBackup } from "../../../paper/backup.ts";
import { pathProblem } from "../../../paper/format/paths.ts";

const RUNS = Number(Deno.env.get("ROUNDTRIP_RUNS") ?? "12");

const segment = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .map((s) => s.replaceAll("/", "_").replaceAll("\0", "_"))
  .filter((s) => s !== "." && s !== ".." && !s.includes("/") && s.trim() !== "");
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((p) => p.join("/"))
  .filter((p) => pathProblem(p) === null);
const file = fc.record({
  path,
  size: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 65536 })),
  text: fc.boolean(),
  mtime: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
});

function contents(size: number, text: boolean): Uint8Array {
  const out = new Uint8Array(size);
  if (text) {
    for (let i = 0; i < size; i++) out[i] = 97 + ((i * 7) % 26);
    return out;
  }
  for (let off = 0; off < size; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(size, off + 65536)));
  }
  return out;
}

Deno.test("round trip: random files and directories (1 B - 64 KiB, unicode names) via QR frames and via text", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(file, {
        minLength: 1,
        maxLength: 4,
        selector: (f) => f.path.normalize("NFC"),
      }),
      fc.boolean(),
      fc.boolean(),
      async (specs, viaText, sealed) => {
        const files = specs.map((s) => ({
          path: s.path,
          data: contents(s.size, s.text),
          ...(s.mtime === undefined ? {} : { mtime: s.mtime }),
        }));
        const b = await makeBackup({ files, workFactor: 2, sealed, words: 12 });
        const frames = [...b.mainFrames, b.authFrame].sort(() => Math.random() - 0.5);
        const got = await recoverBackup({
          inputs: viaText ? [b.recoveryText] : frames,
          passphrase: b.passphrase,
        });
        assert.equal(got.authenticated, true);
        assert.equal(got.sealed, sealed);
        const want = new Map(files.map((f) => [f.path.normalize("NFC"), f]));
        assert.equal(got.files.length, files.length);
        for (const f of got.files) {
          const w = want.get(f.path);
          assert.ok(w, `unexpected ${f.path}`);
          assert.deepEqual(f.data, w.data);
          assert.equal(f.mtime, w.mtime ?? null);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("round trip: 16 KiB backup made and recovered from QR frames and from text (timings logged)", async () => {
  const data = contents(16384, false);
  let t = performance.now();
  const b = await makeBackup({
    files: [{ path: "16k.bin", data }],
    workFactor: 10,
    shards: { k: 2, n: 3 },
  });
  const makeMs = performance.now() - t;
  t = performance.now();
  const got = await recoverBackup({
    inputs: [...b.mainFrames, b.authFrame, b.shardFrames[0]!, b.shardFrames[2]!],
  });
  const recoverMs = performance.now() - t;
  t = performance.now();
  const viaText = await recoverBackup({
    inputs: [b.recoveryText, b.shardTexts[1]!, b.shardTexts[2]!],
  });
  const textMs = performance.now() - t;
  assert.deepEqual(got.files[0]?.data, data);
  assert.deepEqual(viaText.files[0]?.data, data);
  console.log(
    `16 KiB, scrypt logN 10: make ${
      makeMs.toFixed(0)
    } ms (${b.mainFrames.length} QR frames), recover QR ${recoverMs.toFixed(0)} ms, recover text ${
      textMs.toFixed(0)
    } ms`,
  );
});
