import assert from "node:assert/strict";
import { maskCredentials, maskUrl } from "../../../commands/_status.ts";
import { parseThreshold } from "../../../commands/init.ts";
import { overview, overviewLines } from "../../../commands/status.ts";
import { initialDocuments } from "../../../vault/documents.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import type { OpenedVault } from "../../../vault/vault.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("init: --min-stewards is a whole number from 2 to 255", () => {
  assert.equal(parseThreshold(undefined), 2);
  assert.equal(parseThreshold("3"), 3);
  for (const bad of ["1", "0", "-2", "2.5", "x", "256", ""]) {
    assert.throws(() => parseThreshold(bad), (e) => isUserError(e, "usage"), bad);
  }
});

Deno.test("status: credentials and URL passwords are masked", () => {
  assert.equal(maskUrl("sftp://ann:secret@host/path"), "sftp://ann:********@host/path");
  assert.equal(maskUrl("sftp://ann@host/p:x"), "sftp://ann@host/p:x");
  assert.equal(maskUrl("file:///a/b"), "file:///a/b");
  assert.deepEqual(
    maskCredentials({
      datasets: [{ source: { url: "s3://k:v@h/b", credentials: { key: "abc", secret: "def" } } }],
    }),
    {
      datasets: [{
        source: {
          url: "s3://k:********@h/b",
          credentials: { key: "********", secret: "********" },
        },
      }],
    },
  );
});

Deno.test("status: the overview never contains secrets", async () => {
  const secrets = await newSecrets(2);
  const docs = initialDocuments(secrets, "Ann");
  docs.datasets.datasets.push({
    name: "docs",
    source: { url: "file:///home/ann/docs", credentials: { token: "tok-123" } },
    localCopy: "/srv/copies/docs",
    destinations: [{
      name: "far",
      url: "sftp://u:pw-456@far/x",
      frequency: "weekly",
      encrypt: true,
    }],
  });
  const vault = { path: "/v/vault.luks", home: "/v", docs } as unknown as OpenedVault;
  const text = JSON.stringify(overview(vault, 3 << 20)) + overviewLines(vault, 3 << 20).join("\n");
  for (
    const secret of [
      secrets.recoveryMnemonic,
      secrets.signingKeySeed,
      secrets.ageIdentity,
      "tok-123",
      "pw-456",
    ]
  ) {
    assert.equal(text.includes(secret), false, secret);
  }
  assert.match(text, /far: sftp:\/\/u:\*{8}@far\/x \(weekly, encrypted\)/);
});
