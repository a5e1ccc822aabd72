import assert from "node:assert/strict";
import { join } from "node:path";
import { generateDataKey } from "../../crypto/age_x25519.ts";
import { isUserError } from "../../errors.ts";
import { acquireLock } from "../../system/lock.ts";
import {
  backupDataset,
  datasetLockPath,
  listSnapshots,
  restoreDataset,
} from "../../datasets/backup.ts";
import type { Dataset } from "../../vault/documents.ts";
import { readState, statePath } from "../../datasets/state.ts";
import { diffTrees, makeUnusualTree } from "../helpers/tree.ts";

async function setup(
  destinations: Dataset["destinations"] | ((root: string) => Dataset["destinations"]),
) {
  const root = await Deno.makeTempDir({ prefix: "paradux-backup-" });
  const src = join(root, "src");
  await Deno.mkdir(src);
  await makeUnusualTree(src, { randomFiles: 5 });
  const dataset: Dataset = {
    name: "docs",
    source: { url: `file://${src}` },
    localCopy: join(root, "copy"),
    destinations: typeof destinations === "function" ? destinations(root) : destinations,
  };
  return { root, src, home: join(root, "home"), dataset };
}

Deno.test("backup: a daily destination is pushed once per day; state records each run", async () => {
  const t = await setup((root) => [{ name: "usb", url: `file://${root}/usb`, frequency: "daily" }]);
  try {
    const day1 = new Date("2026-11-24T10:00:00Z");
    let r = await backupDataset(t.dataset, { home: t.home, now: day1 });
    assert.equal(r.pull.status, "ok");
    assert.equal(r.results[0]?.status, "ok", JSON.stringify(r));
    assert.ok((r.results[0]?.files ?? 0) > 5);
    let state = await readState(t.home);
    assert.equal(state.datasets.docs?.pull?.lastSuccess, day1.toISOString());
    const usb = state.datasets.docs?.destinations.usb;
    assert.equal(usb?.lastSuccess, day1.toISOString());
    assert.equal(usb?.snapshot, r.results[0]?.snapshot);
    assert.equal(((await Deno.stat(statePath(t.home))).mode ?? 0) & 0o777, 0o600);

    // later the same day: not due, nothing pulled
    r = await backupDataset(t.dataset, { home: t.home, now: new Date("2026-11-24T23:00:00Z") });
    assert.equal(r.pull.status, "skipped");
    assert.deepEqual(r.results, [{
      destination: "usb",
      url: t.dataset.destinations[0]?.url,
      status: "not-due",
      dueAt: "2026-11-25T00:00:00.000Z",
    }]);
    // --location forces it; the dry run transfers nothing
    r = await backupDataset(t.dataset, {
      home: t.home,
      now: new Date("2026-11-24T23:00:00Z"),
      only: "usb",
      dryRun: true,
    });
    assert.equal(r.results[0]?.status, "would-push");
    // the next day it is due again
    r = await backupDataset(t.dataset, { home: t.home, now: new Date("2026-11-25T00:00:01Z") });
    assert.equal(r.results[0]?.status, "ok");
    const snaps = await listSnapshots(t.dataset, t.dataset.destinations[0]!);
    assert.equal(snaps.length, 2);
    state = await readState(t.home);
    assert.equal(state.datasets.docs?.destinations.usb?.lastSuccess, "2026-11-25T00:00:01.000Z");

    await assert.rejects(
      backupDataset(t.dataset, { home: t.home, only: "nope" }),
      (e) => isUserError(e, "usage") && /no destination named nope/.test(e.message),
    );
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("backup: a held dataset lock refuses a second run", async () => {
  const t = await setup((root) => [{ name: "usb", url: `file://${root}/usb`, frequency: "daily" }]);
  try {
    await Deno.mkdir(join(t.home, "locks"), { recursive: true });
    const lock = await acquireLock(datasetLockPath(t.home, "docs"));
    try {
      await assert.rejects(
        backupDataset(t.dataset, { home: t.home }),
        (e) => isUserError(e, "locked") && /dataset docs is in use/.test(e.message),
      );
    } finally {
      await lock.release();
    }
    const r = await backupDataset(t.dataset, { home: t.home });
    assert.equal(r.results[0]?.status, "ok");
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("backup: a failing pull fails the due destinations and pushes nothing", async () => {
  const t = await setup((root) => [{ name: "usb", url: `file://${root}/usb`, frequency: "daily" }]);
  try {
    t.dataset.source.url = `file://${t.root}/no-such-source`;
    const r = await backupDataset(t.dataset, { home: t.home });
    assert.equal(r.pull.status, "failed");
    assert.equal(r.results[0]?.status, "failed");
    assert.match(r.results[0]?.error ?? "", /not pushed: the source pull failed/);
    await assert.rejects(Deno.stat(join(t.root, "usb")), Deno.errors.NotFound);
    const state = await readState(t.home);
    assert.ok(state.datasets.docs?.pull?.lastFailure !== undefined);
    assert.ok(state.datasets.docs?.destinations.usb?.lastFailure !== undefined);
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("backup: encrypted destination with the recipient only; restore with the identity", async () => {
  const t = await setup((root) => [
    { name: "plain", url: `file://${root}/plain`, frequency: "daily" },
    { name: "sealed", url: `file://${root}/sealed`, frequency: "daily", encrypt: true, keep: 2 },
  ]);
  try {
    // without a recipient the encrypted destination fails alone
    let r = await backupDataset(t.dataset, { home: t.home });
    assert.deepEqual(r.results.map((x) => x.status), ["ok", "failed"]);
    assert.match(r.results[1]?.error ?? "", /no age recipient/);

    const key = await generateDataKey();
    r = await backupDataset(t.dataset, {
      home: t.home,
      only: "sealed",
      encryption: { recipient: key.recipient, keyGeneration: 1 },
    });
    assert.equal(r.results[0]?.status, "ok", JSON.stringify(r));
    // nothing readable at the destination
    const listing = new Deno.Command("grep", {
      args: ["-r", "-l", "hello paradux", join(t.root, "sealed")],
    });
    assert.equal((await listing.output()).code, 1);

    const out = join(t.root, "restored");
    const rep = await restoreDataset(t.dataset, {
      home: t.home,
      from: "sealed",
      to: out,
      identities: [{ generation: 1, identity: key.identity }],
    });
    assert.equal(rep.destination, "sealed");
    assert.equal(rep.snapshot, r.results[0]?.snapshot);
    assert.deepEqual(await diffTrees(t.src, out), []);

    // the local copy is the default target: not empty, so --force is needed
    await assert.rejects(
      restoreDataset(t.dataset, { home: t.home, from: "plain" }),
      (e) => isUserError(e, "exists"),
    );
    await Deno.writeTextFile(join(t.dataset.localCopy, "stray"), "x");
    const back = await restoreDataset(t.dataset, { home: t.home, from: "plain", force: true });
    assert.equal(back.target, t.dataset.localCopy);
    assert.deepEqual(await diffTrees(t.src, t.dataset.localCopy), []);
    // no temporary directories are left beside the target
    const beside = [...Deno.readDirSync(t.root)].map((e) => e.name).filter((n) =>
      n.startsWith(".")
    );
    assert.deepEqual(beside, []);
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});
