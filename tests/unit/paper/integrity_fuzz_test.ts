/**
 * Fuzzing what tests/unit/paper/fuzz_test.ts leaves out: that corrupted paper inputs are never
 * accepted as valid. One or two flipped bits in a frame fail its CRC-32; a flipped bit in a
 * signed shard payload (the share payload parser) or AUTH payload is refused by the decoder or
 * fails the signature, so a shard set containing it is refused with a ParaduxError.
 * Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeFrame, encodeFrame } from "../../../paper/format/frame.ts";
import {
  decodeShardPayload,
  encodeShardPayload,
  verifyShardPayload,
} from "../../../paper/format/shard.ts";
import {
  decodeAuthPayload,
  encodeAuthPayload,
  verifyAuthPayload,
} from "../../../paper/format/auth.ts";
import { checkShardSet, sourcedShard } from "../../../paper/shards.ts";
import { flipBit, fuzzRuns, outcome } from "../../helpers/fuzz.ts";

const SEED = crypto.getRandomValues(new Uint8Array(32));
const HASH = crypto.getRandomValues(new Uint8Array(32));

const FRAME = encodeFrame({
  type: "main",
  docId: crypto.getRandomValues(new Uint8Array(8)),
  index: 2,
  total: 5,
  data: crypto.getRandomValues(new Uint8Array(300)),
});

function shard(index: number): Uint8Array {
  return encodeShardPayload({
    version: 2,
    type: "passphrase",
    threshold: 2,
    shareCount: 5,
    shareIndex: index,
    length: 32,
    share: crypto.getRandomValues(new Uint8Array(32)),
    hash: HASH,
    setId: new Uint8Array(16).fill(7),
  }, SEED);
}

const SHARD1 = shard(1);
const SHARD2 = shard(2);
const AUTH = encodeAuthPayload(HASH, SEED);

Deno.test("paper integrity fuzz: the samples decode and verify", () => {
  assert.equal(decodeFrame(FRAME).index, 2);
  assert.ok(verifyShardPayload(decodeShardPayload(SHARD1)));
  assert.ok(verifyAuthPayload(decodeAuthPayload(AUTH)));
  const set = checkShardSet([sourcedShard(SHARD1, "a"), sourcedShard(SHARD2, "b")]);
  assert.ok(set.signed);
});

Deno.test("paper integrity fuzz: one or two flipped bits in a frame are refused", () => {
  const bit = fc.tuple(fc.nat(FRAME.length - 1), fc.nat(7));
  fc.assert(
    fc.property(bit, fc.option(bit), ([a, ba], second) => {
      let bad = flipBit(FRAME, a, ba);
      if (second !== null && !(second[0] === a && second[1] === ba)) {
        bad = flipBit(bad, second[0], second[1]);
      }
      const r = outcome(() => decodeFrame(bad));
      assert.ok(!r.ok, `flips at ${a}/${second?.[0]} accepted`);
      assert.equal(r.error.kind, "input");
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("paper integrity fuzz: a flipped bit in a signed shard payload never passes", () => {
  fc.assert(
    fc.property(fc.nat(SHARD1.length - 1), fc.nat(7), (at, bit) => {
      const bad = flipBit(SHARD1, at, bit);
      const decoded = outcome(() => decodeShardPayload(bad));
      if (decoded.ok) assert.ok(!verifyShardPayload(decoded.value), `flip at ${at} verified`);
      const set = outcome(() =>
        checkShardSet([sourcedShard(bad, "damaged"), sourcedShard(SHARD2, "good")])
      );
      assert.ok(!set.ok, `flip at ${at}: a set with the damaged shard was accepted`);
      const rescued = outcome(() =>
        checkShardSet([sourcedShard(bad, "damaged"), sourcedShard(SHARD2, "good")], {
          rescue: true,
        })
      );
      if (rescued.ok) assert.equal(rescued.value.signed, false, "rescue mode must label it");
    }),
    { numRuns: fuzzRuns(1000) },
  );
});

Deno.test("paper integrity fuzz: a flipped bit in an AUTH payload never verifies", () => {
  fc.assert(
    fc.property(fc.nat(AUTH.length - 1), fc.nat(7), (at, bit) => {
      const decoded = outcome(() => decodeAuthPayload(flipBit(AUTH, at, bit)));
      if (decoded.ok) assert.ok(!verifyAuthPayload(decoded.value), `flip at ${at} verified`);
    }),
    { numRuns: fuzzRuns(1000) },
  );
});
