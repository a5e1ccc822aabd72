import assert from "node:assert/strict";
import { decodePayload, encodePayload } from "../../../vault/payload.ts";
import { initialDocuments } from "../../../vault/documents.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { readTar, writeTar } from "../../../vault/tar.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("payload: documents in a fixed order, padded to the sector size, round trip", async () => {
  const docs = initialDocuments(await newSecrets(2), "Ann");
  for (const sector of [512, 4096]) {
    const bytes = encodePayload(docs, sector, 1700000000);
    assert.equal(bytes.length % sector, 0);
    assert.deepEqual(readTar(bytes).map((e) => e.name), [
      "user.json",
      "stewards.json",
      "datasets.json",
      "metadata-locations.json",
      "settings.json",
      "secrets.json",
    ]);
    const { docs: back, usedBytes } = decodePayload(bytes);
    assert.deepEqual(back, docs);
    assert.ok(usedBytes <= bytes.length && bytes.length - usedBytes < sector);
  }
});

Deno.test("payload: invalid or missing documents are input errors naming the file", async () => {
  const docs = initialDocuments(await newSecrets(2), "Ann");
  const bad = structuredClone(docs);
  bad.settings.shareCapacity = 1;
  assert.throws(
    () => encodePayload(bad, 512),
    (e) => isUserError(e, "input") && /settings\.json/.test(e.message),
  );
  const k = structuredClone(docs);
  k.secrets.threshold = 20; // more than the capacity of 16
  assert.throws(
    () => encodePayload(k, 512),
    (e) => isUserError(e, "input") && /shareCapacity/.test(e.message),
  );
  const entries = readTar(encodePayload(docs, 512)).filter((e) => e.name !== "datasets.json");
  assert.throws(
    () => decodePayload(writeTar(entries)),
    (e) => isUserError(e, "input") && /datasets\.json/.test(e.message),
  );
  const broken = readTar(encodePayload(docs, 512)).map((e) =>
    e.name === "user.json" ? { ...e, data: new TextEncoder().encode('{\n  "name": 1\n}') } : e
  );
  assert.throws(
    () => decodePayload(writeTar(broken)),
    (e) => isUserError(e, "input") && /user\.json:2:11: \$\.name: must be a string/.test(e.message),
  );
});
