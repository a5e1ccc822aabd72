import assert from "node:assert/strict";
import { join } from "node:path";
import { isUserError } from "../../errors.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import type { Documents } from "../../vault/documents.ts";
import { jobPath } from "../../datasets/jobs.ts";
import { installFromDocuments } from "../../recovery/install.ts";
import { installUnits, UNITS_ROOT_ENV } from "../../datasets/units.ts";
import { createVault } from "../../vault/vault.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const PASS = new TextEncoder().encode("new everyday passphrase");
const TIMER = "paradux-backup@photos.timer";

/** Recovered documents holding one dataset with a destination (so it has units). */
async function recoveredDocs(root: string): Promise<Documents> {
  const old = await createVault(join(root, "old-home"), PASS, {
    secrets: await newVaultSecrets(2),
    userName: "Ann",
    pbkdf: TEST_ARGON2ID,
  });
  return {
    ...old.docs,
    datasets: {
      datasets: [{
        name: "photos",
        source: { url: `file://${root}/photos` },
        localCopy: join(root, "copy"),
        destinations: [{ name: "usb", url: `file://${root}/usb`, frequency: "daily" }],
      }],
    },
  };
}

Deno.test("install: recovered documents are written before units are touched, once, at the end", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-install-order-" });
  const unitsRoot = join(root, "units");
  const before = Deno.env.get(UNITS_ROOT_ENV);
  Deno.env.set(UNITS_ROOT_ENV, unitsRoot);
  try {
    const docs = await recoveredDocs(root);
    const home = join(root, "home");
    // the machine already runs this dataset's timer (say, from before the disaster)
    await installUnits(docs, home, { root: unitsRoot });
    const timer = join(unitsRoot, "etc/systemd/system", TIMER);
    assert.ok((await Deno.stat(timer)).isFile);

    // an install that fails while writing the documents leaves the timers as they were
    const bad = structuredClone(docs);
    bad.stewards.stewards.push({ id: "bob", name: "Bob" }, { id: "bob", name: "Bob again" });
    await assert.rejects(
      installFromDocuments(home, bad, PASS, { pbkdf: TEST_ARGON2ID }),
      (e) => isUserError(e, "input") && /stewards\.json/.test(e.message),
    );
    assert.ok((await Deno.stat(timer)).isFile, "the failed install removed the dataset's timer");
    await assert.rejects(Deno.stat(join(home, "vault.luks")), Deno.errors.NotFound);

    // a good install ends with the recovered datasets' job files and units in place
    const vault = await installFromDocuments(home, docs, PASS, { pbkdf: TEST_ARGON2ID });
    assert.equal(vault.docs.datasets.datasets[0]?.name, "photos");
    assert.ok((await Deno.stat(timer)).isFile);
    assert.ok((await Deno.stat(jobPath(home, "photos"))).isFile);
    // nothing of the staging vault is left behind
    const left = [...Deno.readDirSync(home)].map((e) => e.name).filter((n) => n.startsWith("."));
    assert.deepEqual(left, []);
  } finally {
    if (before === undefined) Deno.env.delete(UNITS_ROOT_ENV);
    else Deno.env.set(UNITS_ROOT_ENV, before);
    await Deno.remove(root, { recursive: true });
  }
});
