import assert from "node:assert/strict";
import { join } from "node:path";
import { scanFile } from "../../paper/scan.ts";
import { initialDocuments } from "../../vault/documents.ts";
import {
  documentsFromPaper,
  makeMetadataPaper,
  renderMetadataPaper,
} from "../../recovery/metadata_paper.ts";
import { newRecoveryMnemonic, newSecrets } from "../../vault/secrets.ts";
import { isUserError } from "../../errors.ts";

async function sampleDocs() {
  const docs = initialDocuments(await newSecrets(2), "Ada Lovelace");
  docs.stewards.stewards = [{ id: "bob", name: "Bob" }, { id: "cy", name: "Cy" }];
  docs["metadata-locations"].locations = [{ name: "usb", url: "file:///mnt/usb/meta" }];
  return docs;
}

Deno.test("metadata paper: the PDF scans back to the same documents with the mnemonic", async () => {
  const docs = await sampleDocs();
  const backup = await makeMetadataPaper(docs, { workFactor: 10 });
  const { pdf, text } = await renderMetadataPaper(docs, backup);
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "metadata.pdf");
    await Deno.writeFile(path, pdf);
    const frames = await scanFile(path, { dpi: 150 });
    const fromPdf = await documentsFromPaper(frames, docs.secrets.recoveryMnemonic);
    assert.deepEqual(fromPdf.docs, docs);
    assert.equal(fromPdf.authenticated, true);
    const fromText = await documentsFromPaper([text], docs.secrets.recoveryMnemonic);
    assert.deepEqual(fromText.docs, docs);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("metadata paper: a wrong mnemonic is refused", async () => {
  const docs = await sampleDocs();
  const backup = await makeMetadataPaper(docs, { workFactor: 10 });
  await assert.rejects(
    documentsFromPaper([backup.recoveryText], newRecoveryMnemonic()),
    (e) => isUserError(e, "auth"),
  );
});

Deno.test("metadata paper: a copy signed by another key is refused, accepted in rescue", async () => {
  const docs = await sampleDocs();
  const other = await newSecrets(2);
  const forged = {
    ...docs,
    secrets: { ...docs.secrets, signingKeySeed: other.signingKeySeed },
  };
  const backup = await makeMetadataPaper(forged, { workFactor: 10 });
  await assert.rejects(
    documentsFromPaper([backup.recoveryText], docs.secrets.recoveryMnemonic),
    (e) => isUserError(e, "auth") && /not signed by the vault's key/.test(e.message),
  );
  const rescued = await documentsFromPaper([backup.recoveryText], docs.secrets.recoveryMnemonic, {
    rescue: true,
  });
  assert.equal(rescued.authenticated, false);
});
