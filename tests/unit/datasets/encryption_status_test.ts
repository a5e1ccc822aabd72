import assert from "node:assert/strict";
import type { ProtocolSpec } from "../../../protocols/protocol.ts";
import { rotateDataKey } from "../../../datasets/data_keys.ts";
import type { DatasetsDoc } from "../../../vault/documents.ts";
import { datasetsEncryption, encryptionLabel } from "../../../datasets/encryption_status.ts";
import { newSecrets } from "../../../vault/secrets.ts";

const spec = (name: string, storesPlainFiles: boolean) =>
  ({ name, schemes: [name], storesPlainFiles }) as unknown as ProtocolSpec;
const LIST = [spec("file", true), spec("restic", false), spec("s3", true)];

Deno.test("encryption status: age with the current generation, restic by itself, plain, invalid", async () => {
  const s1 = await newSecrets(2);
  const { secrets } = await rotateDataKey(s1);
  const doc: DatasetsDoc = {
    datasets: [{
      name: "photos",
      source: { url: "file:///home/p" },
      localCopy: "/srv/photos",
      destinations: [
        { name: "usb", url: "file:///mnt/usb", frequency: "daily", encrypt: true },
        { name: "nas", url: "file:///mnt/nas", frequency: "daily" },
        { name: "cloud", url: "restic:/srv/r", frequency: "weekly", encrypt: true },
        { name: "odd", url: "gopher://x/y", frequency: "weekly", encrypt: true },
      ],
    }],
  };
  const got = datasetsEncryption(doc, secrets, LIST);
  const labels = got.photos?.map(encryptionLabel);
  assert.deepEqual(got, {
    photos: [
      { destination: "usb", mode: "age", keyGeneration: 2, recipient: secrets.ageRecipient },
      { destination: "nas", mode: "none" },
      { destination: "cloud", mode: "protocol", protocol: "restic" },
      { destination: "odd", mode: "invalid" },
    ],
  });
  assert.deepEqual(labels, [
    "encrypted (age, key generation 2)",
    "not encrypted",
    "encrypted by restic",
    "encrypt is set but the protocol is unknown",
  ]);
  assert.equal(JSON.stringify(got).includes("AGE-SECRET-KEY"), false, "no identity");
});
