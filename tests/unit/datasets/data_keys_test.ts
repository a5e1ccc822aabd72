import assert from "node:assert/strict";
import { newSecrets } from "../../../vault/secrets.ts";
import { validateDocument } from "../../../vault/schema.ts";
import {
  allDataKeys,
  currentDataKey,
  currentGeneration,
  dataKeyOf,
  rotateDataKey,
} from "../../../datasets/data_keys.ts";
import { recipientOf } from "../../../crypto/age_x25519.ts";

Deno.test("data keys: a new vault has generation 1 and no retired keys (old documents stay valid)", async () => {
  const s = await newSecrets(2, new Date("2026-01-01T00:00:00Z"));
  assert.equal(currentGeneration(s), 1);
  assert.equal(s.dataKeyGeneration, undefined);
  assert.deepEqual(allDataKeys(s), [{
    generation: 1,
    identity: s.ageIdentity,
    recipient: s.ageRecipient,
    createdAt: "2026-01-01T00:00:00.000Z",
  }]);
  assert.deepEqual(validateDocument("secrets", s), []);
});

Deno.test("data keys: rotation makes generation n+1 and keeps every old identity", async () => {
  const s1 = await newSecrets(2);
  const { secrets: s2, key: k2 } = await rotateDataKey(s1, new Date("2026-02-01T00:00:00Z"));
  const { secrets: s3, key: k3 } = await rotateDataKey(s2, new Date("2026-03-01T00:00:00Z"));
  assert.equal(k2.generation, 2);
  assert.equal(k3.generation, 3);
  assert.equal(currentDataKey(s3).identity, k3.identity);
  assert.equal(s3.ageRecipient, k3.recipient);
  assert.equal(await recipientOf(k3.identity), k3.recipient);
  assert.deepEqual(allDataKeys(s3).map((k) => k.generation), [3, 2, 1]);
  assert.equal(dataKeyOf(s3, 1)?.identity, s1.ageIdentity);
  assert.equal(dataKeyOf(s3, 2)?.identity, k2.identity);
  assert.equal(dataKeyOf(s3, 4), undefined);
  assert.notEqual(k2.identity, s1.ageIdentity);
  assert.deepEqual(validateDocument("secrets", s3), []);
  // the input is not changed
  assert.equal(currentGeneration(s1), 1);
});

Deno.test("data keys: the schema rejects a malformed retired key", async () => {
  const s = await newSecrets(2);
  const bad = {
    ...s,
    retiredDataKeys: [{ generation: 0, identity: "x", recipient: s.ageRecipient, createdAt: "no" }],
  };
  const paths = validateDocument("secrets", bad).map((i) => i.path);
  assert.deepEqual(paths.sort(), [
    "$.retiredDataKeys[0].createdAt",
    "$.retiredDataKeys[0].generation",
    "$.retiredDataKeys[0].identity",
  ]);
});
