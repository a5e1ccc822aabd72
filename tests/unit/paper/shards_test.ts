import assert from "node:assert/strict";
import { ParaduxError } from "../../../errors.ts";
import {
  checkShardSet,
  combineShardSet,
  extendShardSet,
  issueFromPolynomial,
  makeShardSet,
  sourcedShard,
} from "../../../paper/shards.ts";
import { decodeShardPayload } from "../../../paper/format/shard.ts";
import { publicKeyOf } from "../../../crypto/ed25519.ts";
import { newMnemonic } from "../../../crypto/bip39.ts";

const seed = new Uint8Array(32).fill(11);
const docHash = new Uint8Array(32).fill(12);
const setId = new Uint8Array(16).fill(13);
const mnemonic = newMnemonic(24);
const secret = new TextEncoder().encode(mnemonic);

function sourced(payloads: Uint8Array[]) {
  return payloads.map((p, i) => sourcedShard(p, `share ${i + 1}`));
}

Deno.test("stewards: passphrase shares with given set id, capacity 16, only some indices issued", () => {
  const set = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 3,
    shareCount: 16,
    docHash,
    signingSeed: seed,
    setId,
    indices: [1, 2, 3, 4],
  });
  assert.equal(set.payloads.length, 4);
  const p = decodeShardPayload(set.payloads[1]!);
  assert.equal(p.version, 2);
  assert.equal(p.type, "passphrase");
  assert.equal(p.shareCount, 16);
  assert.equal(p.shareIndex, 2);
  assert.equal(p.length, secret.length);
  assert.deepEqual(p.setId, setId);
  assert.deepEqual(p.pub, publicKeyOf(seed));
  const checked = checkShardSet(sourced([set.payloads[3]!, set.payloads[0]!, set.payloads[2]!]), {
    hash: docHash,
    pub: publicKeyOf(seed),
    setId,
  });
  assert.equal(checked.signed, true);
  assert.equal(new TextDecoder().decode(combineShardSet(checked.shards)), mnemonic);
});

Deno.test("stewards: a later steward gets an unused index of the same polynomial", () => {
  const set = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 2,
    shareCount: 16,
    docHash,
    signingSeed: seed,
    setId,
    indices: [1, 2, 3],
  });
  const [fromPoly] = issueFromPolynomial({
    ...set,
    type: "passphrase",
    threshold: 2,
    shareCount: 16,
    docHash,
    signingSeed: seed,
    length: secret.length,
  }, [7]);
  const shards = checkShardSet(sourced([set.payloads[0]!, set.payloads[1]!])).shards;
  const [fromShares] = extendShardSet(shards, [7], seed);
  assert.deepEqual(fromPoly, fromShares);
  const mixed = checkShardSet(sourced([fromPoly!, set.payloads[2]!]), { setId });
  assert.equal(new TextDecoder().decode(combineShardSet(mixed.shards)), mnemonic);
});

Deno.test("stewards: other card, other set, other key and too few shares are refused by name", () => {
  const a = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 2,
    shareCount: 5,
    docHash,
    signingSeed: seed,
    setId,
  });
  const otherSet = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 2,
    shareCount: 5,
    docHash,
    signingSeed: seed,
  });
  const otherKey = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 2,
    shareCount: 5,
    docHash,
    signingSeed: new Uint8Array(32).fill(1),
    setId,
  });
  const otherCard = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 2,
    shareCount: 5,
    docHash: new Uint8Array(32),
    signingSeed: seed,
    setId,
  });
  const check = (list: Uint8Array[], re: RegExp, kind: string) =>
    assert.throws(
      () => checkShardSet(sourced(list), { hash: docHash, pub: publicKeyOf(seed), setId }),
      (e: unknown) => {
        assert.ok(e instanceof ParaduxError);
        assert.equal(e.kind, kind, e.message);
        assert.match(e.message, re);
        return true;
      },
    );
  check([a.payloads[0]!, otherCard.payloads[1]!], /^share 2: shard of another backup/, "mismatch");
  check([a.payloads[0]!, otherSet.payloads[1]!], /^share 2: shard of another set/, "mismatch");
  check([a.payloads[0]!, otherKey.payloads[1]!], /^share 2: shard signed by another key/, "auth");
  check([a.payloads[0]!, a.payloads[0]!], /need 2 shards, have 1/, "insufficient");
});

Deno.test("signing-seed shards: length 32 enforced; recover the seed", () => {
  assert.throws(
    () =>
      makeShardSet({
        secret: new Uint8Array(31),
        type: "signing-seed",
        threshold: 1,
        shareCount: 2,
        docHash,
        signingSeed: seed,
      }),
    ParaduxError,
  );
  const s = makeShardSet({
    secret: seed,
    type: "signing-seed",
    threshold: 2,
    shareCount: 3,
    docHash,
    signingSeed: seed,
  });
  const checked = checkShardSet(sourced([s.payloads[2]!, s.payloads[0]!]));
  assert.deepEqual(combineShardSet(checked.shards), seed);
});

Deno.test("stewards: the mnemonic comes back from share frames and texts alone", async () => {
  const { recoverSecretFromShards } = await import("../../../paper/backup.ts");
  const { shardFrame } = await import("../../../paper/shards.ts");
  const { formatFallbackText } = await import("../../../paper/format/fallback_text.ts");
  const set = makeShardSet({
    secret,
    type: "passphrase",
    threshold: 2,
    shareCount: 16,
    docHash,
    signingSeed: seed,
    setId,
    indices: [1, 2, 3],
  });
  const frames = set.payloads.map((p) => shardFrame(docHash.slice(0, 8), p));
  const text = formatFallbackText([{ kind: "key", frame: frames[2]! }], { lineNumbers: true });
  const got = recoverSecretFromShards([text, frames[0]!], {
    hash: docHash,
    pub: publicKeyOf(seed),
    setId,
  });
  assert.equal(new TextDecoder().decode(got.secret), mnemonic);
  assert.equal(got.signed, true);
  assert.throws(
    () => recoverSecretFromShards([frames[0]!], { hash: docHash }),
    /need 2 shards, have 1/,
  );
  assert.throws(
    () => recoverSecretFromShards([frames[0]!, frames[1]!], { hash: new Uint8Array(32) }),
    /^ParaduxError: input 1: shard of another backup/,
  );
});
