import assert from "node:assert/strict";
import { recoverSecretFromShards } from "../../../paper/backup.ts";
import { type Documents, initialDocuments } from "../../../vault/documents.ts";
import { checkDocuments } from "../../../vault/payload.ts";
import {
  cardOf,
  parseCardText,
  readRecoveryCard,
  withNewRecoverySecret,
  withRecoveryCard,
} from "../../../stewards/recovery_card.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import {
  issueShares,
  markExported,
  seededRandom,
  shareOf,
  sharePayload,
  stewardShareStatus,
} from "../../../stewards/shares.ts";

async function vaultDocs(ids: string[], k = 3): Promise<Documents> {
  const secrets = await withRecoveryCard(await newSecrets(k), "Ann Example");
  const docs = initialDocuments(secrets, "Ann Example");
  return { ...docs, stewards: { stewards: ids.map((id) => ({ id, name: id.toUpperCase() })) } };
}

Deno.test("recovery card: text round trip, decrypts with the mnemonic, signed by the vault", async () => {
  const docs = await vaultDocs([]);
  const card = cardOf(docs.secrets);
  const got = await readRecoveryCard(
    [...card.mainFrames, card.authFrame],
    docs.secrets.recoveryMnemonic,
  );
  assert.equal(got.vaultId, docs.secrets.vaultId);
  assert.equal(got.owner, "Ann Example");
  assert.ok(got.authenticated);
  assert.deepEqual(got.docHash, card.docHash);
  // the fallback text alone works too
  const fromText = await readRecoveryCard([card.recoveryText], docs.secrets.recoveryMnemonic);
  assert.equal(fromText.mnemonic, docs.secrets.recoveryMnemonic);
  assert.throws(() => parseCardText("hello"), /not a paradux recovery card/);
  checkDocuments(docs);
});

Deno.test("shares: 5 stewards, k=3, any 3 recover; a 6th later gets index 6 of the same set", async () => {
  let docs = await vaultDocs(["a", "b", "c", "d", "e"]);
  const first = await issueShares(docs);
  docs = first.docs;
  assert.deepEqual(first.issued.map((s) => s.index), [1, 2, 3, 4, 5]);
  checkDocuments(docs);
  const mnemonic = docs.secrets.recoveryMnemonic;
  const card = cardOf(docs.secrets);
  const text = (id: string) => shareOf(docs.secrets, id).text;
  const got = recoverSecretFromShards([text("b"), text("d"), text("e")], {
    hash: card.docHash,
  });
  assert.equal(new TextDecoder().decode(got.secret), mnemonic);
  assert.ok(got.signed);
  // deterministic: the same index gives the same payload
  assert.deepEqual(sharePayload(docs.secrets, 4), sharePayload(docs.secrets, 4));
  // a 6th steward later
  docs = { ...docs, stewards: { stewards: [...docs.stewards.stewards, { id: "f", name: "F" }] } };
  const second = await issueShares(docs);
  assert.deepEqual(second.issued.map((s) => s.index), [6]);
  docs = second.docs;
  const again = recoverSecretFromShards(
    [shareOf(docs.secrets, "a").frame, shareOf(docs.secrets, "c").frame, text("f")],
  );
  assert.equal(new TextDecoder().decode(again.secret), mnemonic);
  // removing a steward keeps the index taken
  docs = {
    ...docs,
    stewards: {
      stewards: docs.stewards.stewards.filter((s) => s.id !== "b").concat({ id: "g", name: "G" }),
    },
  };
  const third = await issueShares(docs);
  assert.deepEqual(third.removed, ["b"]);
  assert.deepEqual(third.issued.map((s) => s.index), [7]);
});

Deno.test("shares: status, exports and rotation make packages stale", async () => {
  let docs = (await issueShares(await vaultDocs(["a", "b"], 2))).docs;
  assert.deepEqual(stewardShareStatus(docs).map((s) => s.state), ["not-exported", "not-exported"]);
  docs = { ...docs, secrets: markExported(docs.secrets, ["a"]) };
  assert.deepEqual(stewardShareStatus(docs).map((s) => s.state), ["current", "not-exported"]);
  const oldHash = cardOf(docs.secrets).docHash;
  docs = { ...docs, secrets: await withNewRecoverySecret(docs.secrets, "Ann") };
  assert.notDeepEqual(cardOf(docs.secrets).docHash, oldHash);
  assert.deepEqual(stewardShareStatus(docs).map((s) => s.state), ["stale", "no-share"]);
  docs = (await issueShares(docs)).docs;
  assert.deepEqual(stewardShareStatus(docs).map((s) => s.state), ["stale", "not-exported"]);
  checkDocuments(docs);
});

Deno.test("shares: the seeded byte source is deterministic and seed-dependent", () => {
  const a = seededRandom(new Uint8Array(32));
  const b = seededRandom(new Uint8Array(32));
  assert.deepEqual([a(16), a(40)], [b(16), b(40)]);
  const c = seededRandom(new Uint8Array(32).fill(1));
  assert.notDeepEqual(c(16), seededRandom(new Uint8Array(32))(16));
});
