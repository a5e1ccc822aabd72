import assert from "node:assert/strict";
import { ParaduxError } from "../../../errors.ts";
import { type Documents, initialDocuments } from "../../../vault/documents.ts";
import { cardOf, withRecoveryCard } from "../../../stewards/recovery_card.ts";
import {
  checkSourceDocs,
  framesPart,
  type LabelledInput,
  reconstructSecret,
} from "../../../recovery/recovery.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { issueShares, shareOf } from "../../../stewards/shares.ts";

async function vault(ids = ["a", "b", "c", "d"], k = 3): Promise<Documents> {
  const secrets = await withRecoveryCard(await newSecrets(k), "Ann");
  const docs = {
    ...initialDocuments(secrets, "Ann"),
    stewards: { stewards: ids.map((id) => ({ id, name: id })) },
  };
  return (await issueShares(docs)).docs;
}

/** A package text twin: letter, share, card. */
function pkg(docs: Documents, id: string): LabelledInput {
  const text = `Dear ${id},\nsome letter text\n\n${shareOf(docs.secrets, id).text}\n${
    cardOf(docs.secrets).recoveryText
  }`;
  return { value: text, label: `${id}.txt` };
}

async function rejects(p: Promise<unknown>, kind: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ParaduxError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    return true;
  });
}

Deno.test("recovery: framesPart drops the letter before the first marker", () => {
  assert.equal(framesPart("hello\nthere\nSHARD FRAME\nabcd\n"), "SHARD FRAME\nabcd\n");
  assert.equal(framesPart("no markers"), "no markers");
});

Deno.test("recovery: k package texts give the mnemonic, card verified, duplicates ignored", async () => {
  const docs = await vault();
  const got = await reconstructSecret([
    pkg(docs, "b"),
    pkg(docs, "d"),
    pkg(docs, "b"),
    pkg(docs, "c"),
  ]);
  assert.equal(got.mnemonic, docs.secrets.recoveryMnemonic);
  assert.equal(got.via, "shares");
  assert.ok(got.authenticated);
  assert.equal(got.card?.vaultId, docs.secrets.vaultId);
  assert.equal(got.signer, docs.secrets.signingPublicKey);
  assert.deepEqual(got.shares.map((s) => s.label), ["b.txt", "d.txt", "c.txt"]);
  assert.ok(got.warnings.some((w) => /b\.txt: duplicate of shard 2/.test(w)));
  assert.deepEqual(checkSourceDocs(docs, got, false, "export"), []);
});

Deno.test("recovery: shares alone (no card) work with a warning; a typed mnemonic alone too", async () => {
  const docs = await vault();
  const shares = ["a", "c", "d"].map((id) => ({
    value: shareOf(docs.secrets, id).text,
    label: id,
  }));
  const got = await reconstructSecret(shares);
  assert.equal(got.mnemonic, docs.secrets.recoveryMnemonic);
  assert.equal(got.card, null);
  assert.ok(got.authenticated, "signed shares; the signer is checked against the source");
  assert.ok(got.warnings.some((w) => /no recovery card/.test(w)));
  const typed = await reconstructSecret([
    { value: `  ${docs.secrets.recoveryMnemonic.toUpperCase()}\n`, label: "stdin" },
  ]);
  assert.equal(typed.mnemonic, docs.secrets.recoveryMnemonic);
  assert.equal(typed.via, "mnemonic");
});

Deno.test("recovery: refusals name the input", async () => {
  const docs = await vault();
  const other = await vault();
  await rejects(
    reconstructSecret([pkg(docs, "a"), pkg(docs, "b"), pkg(other, "c")]),
    "mismatch",
    /^c\.txt: share of another set or vault/,
  );
  await rejects(
    reconstructSecret([pkg(docs, "a"), pkg(docs, "b")]),
    "insufficient",
    /need 3 shares, have 2 \(from a\.txt, b\.txt\)/,
  );
  // another vault's card among the right shares
  const card = { value: cardOf(other.secrets).recoveryText, label: "card.txt" };
  await rejects(
    reconstructSecret([pkg(docs, "a"), pkg(docs, "b"), pkg(docs, "c"), card]),
    "mismatch",
    /card\.txt: no share of this set, and not its recovery card \(a recovery card of another set/,
  );
  // the sources must be this vault's
  const got = await reconstructSecret([pkg(docs, "a"), pkg(docs, "b"), pkg(docs, "c")]);
  assert.throws(() => checkSourceDocs(other, got, false, "x.luks"), /x\.luks belongs to another/);
  const sameSecret = { ...other, secrets: { ...other.secrets, recoveryMnemonic: got.mnemonic } };
  assert.throws(() => checkSourceDocs(sameSecret, got, false, "x.luks"), /not signed by the key/);
  assert.equal(checkSourceDocs(sameSecret, got, true, "x.luks").length, 1);
});
