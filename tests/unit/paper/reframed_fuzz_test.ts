/**
 * Fuzzing recovery against a corrupted ciphertext that was re-framed with valid CRCs and a
 * matching doc id (what a careless re-encoder or a forger would produce, so the frame checks
 * cannot catch it): with the original AUTH frame the signature binding refuses it; without AUTH
 * in rescue mode, age's MACs refuse it. Recovery never returns files from a changed ciphertext.
 * Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mainFramesOf, makeBackup, recoverBackup } from "../../../paper/backup.ts";
import { blake2b256 } from "../../../crypto/hashes.ts";
import { flipBit, fuzzRuns, outcomeAsync } from "../../helpers/fuzz.ts";

const B = await makeBackup({
  files: [{ path: "secret.bin", data: crypto.getRandomValues(new Uint8Array(1500)) }],
  workFactor: 4,
  gzip: false,
});

function reframed(ciphertext: Uint8Array): Uint8Array[] {
  return mainFramesOf(blake2b256(ciphertext).slice(0, 8), ciphertext);
}

Deno.test("reframed fuzz: the untouched ciphertext re-framed still recovers", async () => {
  const r = await recoverBackup({
    inputs: [B.authFrame, ...reframed(B.ciphertext)],
    passphrase: B.passphrase,
  });
  assert.equal(r.authenticated, true);
  assert.equal(r.files[0]?.data.length, 1500);
});

Deno.test("reframed fuzz: a flipped ciphertext bit is refused, signed or in rescue mode", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(B.ciphertext.length - 1), fc.nat(7), async (at, bit) => {
      const frames = reframed(flipBit(B.ciphertext, at, bit));
      const signed = await outcomeAsync(() =>
        recoverBackup({ inputs: [B.authFrame, ...frames], passphrase: B.passphrase })
      );
      assert.ok(!signed.ok, `flip at ${at}: recovered with the AUTH frame`);
      const rescued = await outcomeAsync(() =>
        recoverBackup({ inputs: frames, passphrase: B.passphrase, rescue: true })
      );
      assert.ok(!rescued.ok, `flip at ${at}: recovered in rescue mode`);
    }),
    { numRuns: fuzzRuns(500) },
  );
});
