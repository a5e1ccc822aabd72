import assert from "node:assert/strict";
import { type Documents, initialDocuments } from "../../../vault/documents.ts";
import { cardOf, withRecoveryCard } from "../../../stewards/recovery_card.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { issueShares, shareOf } from "../../../stewards/shares.ts";
import {
  examineShares,
  mnemonicOf,
  openVaultCopy,
  rebuildSecret,
  type ShareItem,
} from "../../../kit/logic.ts";

async function vault(ids = ["a", "b", "c", "d"], k = 3): Promise<Documents> {
  const secrets = await withRecoveryCard(await newSecrets(k), "Ann");
  const docs = {
    ...initialDocuments(secrets, "Ann"),
    stewards: { stewards: ids.map((id) => ({ id, name: id })) },
  };
  return (await issueShares(docs)).docs;
}

/** A package's text: letter, share, card. */
function pkg(docs: Documents, id: string, label = `${id}.txt`): ShareItem {
  const text = `Dear ${id},\nsome letter text\n\n${shareOf(docs.secrets, id).text}\n${
    cardOf(docs.secrets).recoveryText
  }`;
  return { label, inputs: [{ value: text, label }] };
}

Deno.test("kit logic: states of shares, how many more, and the secret rebuilt", async () => {
  const docs = await vault();
  const other = await vault(["a", "b"], 2);
  const items = [pkg(docs, "a"), pkg(other, "a", "old.txt"), pkg(docs, "a", "again.txt")];
  let report = examineShares(items);
  assert.deepEqual(report.statuses.map((s) => s.state), ["valid", "other-set", "duplicate"]);
  assert.deepEqual(report.statuses.map((s) => s.index), [1, 1, 1]);
  assert.equal(report.threshold, 3);
  assert.equal(report.have, 1);
  assert.equal(report.needed, 2);
  assert.equal(report.ready, false);
  items.push(pkg(docs, "c"), { label: "junk", inputs: [{ value: "hello", label: "junk" }] });
  report = examineShares(items);
  assert.equal(report.needed, 1);
  assert.equal(report.statuses[4]?.state, "unreadable");
  assert.match(report.statuses[4]?.message ?? "", /^junk/);
  items.push(pkg(docs, "d"));
  report = examineShares(items);
  assert.equal(report.ready, true);
  const secret = await rebuildSecret(items);
  assert.equal(secret.mnemonic, docs.secrets.recoveryMnemonic);
  assert.deepEqual(secret.shares.map((s) => s.index), [1, 3, 4]);
});

Deno.test("kit logic: the 24 words alone; a file that is not an export is refused", async () => {
  const docs = await vault();
  const words = ` ${docs.secrets.recoveryMnemonic.toUpperCase()}\n`;
  assert.equal(mnemonicOf(words), docs.secrets.recoveryMnemonic);
  assert.equal(mnemonicOf("abandon abandon"), null);
  const items = [{ label: "typed text 1", inputs: [{ value: words, label: "typed text 1" }] }];
  const report = examineShares(items);
  assert.deepEqual(report.statuses.map((s) => s.state), ["mnemonic"]);
  assert.equal(report.ready, true);
  const secret = await rebuildSecret(items);
  assert.equal(secret.via, "mnemonic");
  await assert.rejects(
    openVaultCopy({ kind: "export", name: "notes.txt", bytes: new Uint8Array(4096) }, secret),
    /notes\.txt is not a vault export/,
  );
});
