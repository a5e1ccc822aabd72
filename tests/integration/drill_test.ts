import assert from "node:assert/strict";
import { join } from "node:path";
import { protocol as file } from "../../protocols/file.ts";
import { protocol as restic } from "../../protocols/restic.ts";
import { initialDocuments } from "../../vault/documents.ts";
import { newSecrets } from "../../vault/secrets.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import type { Documents } from "../../vault/documents.ts";
import { type DrillReport, runDrill } from "../../drill/drill.ts";
import { type RecoveryPath, SURVIVOR_PATH } from "../../recovery/survivor_path.ts";
import { EXPORT_NAME, publishError, publishVault } from "../../vault/publish.ts";
import { pushEncrypted } from "../../datasets/encrypted.ts";
import { issueShares } from "../../stewards/shares.ts";
import { createVault, type OpenedVault, saveVault } from "../../vault/vault.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const lookup = () => file;
const url = (p: string) => `file://${p}`;

interface World {
  root: string;
  vault: OpenedVault;
  local: string;
}

async function world(): Promise<World> {
  const root = await Deno.makeTempDir({ prefix: "paradux-drill-" });
  const created = await createVault(join(root, "home"), new TextEncoder().encode("pass phrase"), {
    secrets: await newVaultSecrets(2),
    userName: "Ada",
    pbkdf: TEST_ARGON2ID,
  });
  const local = join(root, "local");
  await Deno.mkdir(join(local, "sub"), { recursive: true });
  await Deno.writeTextFile(join(local, "a.txt"), "alpha\n");
  await Deno.writeTextFile(join(local, "sub", "b.txt"), "beta\n");
  await Deno.mkdir(join(root, "mnt"));
  const docs: Documents = structuredClone(created.docs);
  docs.stewards.stewards = ["ann", "bo", "cy"].map((id) => ({ id, name: id }));
  docs["metadata-locations"].locations = [
    { name: "m1", url: url(join(root, "m1")) },
    { name: "m2", url: url(join(root, "m2")) },
  ];
  docs.datasets.datasets = [{
    name: "docs",
    source: { url: url(join(root, "src")) },
    localCopy: local,
    destinations: [
      { name: "plain", url: url(join(root, "mnt", "plain")), frequency: "daily" },
      { name: "sealed", url: url(join(root, "sealed")), frequency: "daily", encrypt: true },
    ],
  }];
  const vault = await saveVault(created, (await issueShares(docs)).docs);
  const ctx = { privateDir: root, now: new Date() };
  await file.push(local, { url: url(join(root, "mnt", "plain")) }, ctx);
  await pushEncrypted(
    local,
    { url: url(join(root, "sealed")) },
    file,
    [vault.docs.secrets.ageRecipient],
    ctx,
    { keyGeneration: 1 },
  );
  return { root, vault, local };
}

function drill(w: World, docs = w.vault.docs): Promise<DrillReport> {
  return runDrill(docs, { lookup });
}

function failures(r: DrillReport): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => `${c.name}:${c.failure}`);
}

function message(r: DrillReport, name: string): string {
  return r.checks.find((c) => c.name === name)?.message ?? "";
}

Deno.test("publish and drill: each failure has its own message, others keep passing", async () => {
  const w = await world();
  try {
    const report = await publishVault(w.vault, { lookup });
    assert.equal(publishError(report), null);
    assert.deepEqual(report.results.map((r) => r.location), ["m1", "m2"]);

    let r = await drill(w);
    assert.deepEqual(failures(r), []);
    assert.deepEqual(r.checks.map((c) => `${c.area}:${c.name}`), [
      "metadata:m1",
      "metadata:m2",
      "shares:shares",
      "destination:docs/plain",
      "destination:docs/sealed",
    ]);

    // an old snapshot (the drill runs three days later)
    r = await runDrill(w.vault.docs, { lookup, now: new Date(Date.now() + 72 * 3600_000) });
    assert.deepEqual(failures(r), ["docs/plain:old-snapshot", "docs/sealed:old-snapshot"]);
    assert.match(message(r, "docs/plain"), /^newest snapshot is 3d old \(daily\)/);

    // The drill runs the survivor's path: breaking any one step of it fails the drill.
    const broken = async (path: Partial<RecoveryPath>) =>
      failures(await runDrill(w.vault.docs, { lookup, recovery: { ...SURVIVOR_PATH, ...path } }));
    const other = "abandon ".repeat(23) + "art";
    assert.deepEqual(
      await broken({
        secret: async (i, o) => ({ ...await SURVIVOR_PATH.secret(i, o), mnemonic: other }),
      }),
      ["m1:corrupted-export", "m2:corrupted-export", "shares:shares"],
    );
    assert.deepEqual(
      await broken({ read: async (a, o) => (await SURVIVOR_PATH.read(a, o)).slice(0, -1) }),
      ["shares:shares"],
    );
    assert.deepEqual(
      await broken({
        open: async (f, sec, rescue) => {
          const opened = await SURVIVOR_PATH.open(f, sec, rescue);
          return { ...opened, docs: { ...opened.docs, datasets: { datasets: [] } } };
        },
      }),
      ["m1:stale-metadata-copy", "m2:stale-metadata-copy"],
    );

    // stale: the live vault changed after publishing
    const changed = structuredClone(w.vault.docs);
    changed.user.name = "Ada L.";
    r = await drill(w, changed);
    assert.deepEqual(failures(r), ["m1:stale-metadata-copy", "m2:stale-metadata-copy"]);
    assert.match(message(r, "m1"), /^stale metadata copy: user differ/);

    // missing copy at m2, corrupted export at m1: both named, destinations still checked
    await Deno.remove(join(w.root, "m2", EXPORT_NAME));
    const exp = join(w.root, "m1", EXPORT_NAME);
    const bytes = await Deno.readFile(exp);
    bytes.fill(0, 40_000, 300_000); // the recovery keyslot's area
    await Deno.writeFile(exp, bytes);
    r = await drill(w);
    assert.deepEqual(failures(r), ["m1:corrupted-export", "m2:missing-metadata-copy"]);
    assert.match(message(r, "m1"), /^corrupted export at m1/);
    assert.match(message(r, "m2"), /^missing metadata copy/);

    // a failing location does not stop publishing at the others
    await Deno.remove(join(w.root, "m2"), { recursive: true });
    await Deno.writeTextFile(join(w.root, "m2"), "not a directory");
    const partial = await publishVault(w.vault, { lookup });
    assert.deepEqual(partial.results.map((x) => x.ok), [true, false]);
    assert.equal(publishError(partial)?.kind, "partial");
    await Deno.remove(join(w.root, "m2"));
    assert.equal(publishError(await publishVault(w.vault, { lookup })), null);
    assert.deepEqual(failures(await drill(w)), []);

    // altered files at the plain destination, a tampered part at the sealed one
    const plain = join(w.root, "mnt", "plain");
    const snap = [...Deno.readDirSync(plain)].find((e) => e.isDirectory && !e.name.startsWith("."));
    await Deno.writeTextFile(join(plain, snap!.name, "sub", "b.txt"), "BETA\n");
    const parts: string[] = [];
    for (const d of Deno.readDirSync(join(w.root, "sealed"))) {
      if (!d.isDirectory) continue;
      for (const f of Deno.readDirSync(join(w.root, "sealed", d.name))) {
        if (f.name.startsWith("data.")) parts.push(join(w.root, "sealed", d.name, f.name));
      }
    }
    const partFile = parts.sort()[0]!;
    const pb = await Deno.readFile(partFile);
    pb[pb.length - 5] = (pb[pb.length - 5] ?? 0) ^ 1;
    await Deno.writeFile(partFile, pb);
    r = await drill(w);
    assert.deepEqual(failures(r), ["docs/plain:altered-files", "docs/sealed:altered-files"]);
    assert.match(message(r, "docs/sealed"), /altered files at the destination: .*(part|hash|SHA)/i);
    assert.match(
      message(r, "docs/plain"),
      /altered files at the destination: different content "sub\/b.txt"/,
    );

    // unreachable destination: the drive is gone
    await Deno.rename(join(w.root, "mnt"), join(w.root, "unmounted"));
    r = await drill(w);
    assert.equal(r.checks.find((c) => c.name === "docs/plain")?.failure, "unreachable-destination");
    assert.match(message(r, "docs/plain"), /^unreachable destination/);
  } finally {
    await Deno.remove(w.root, { recursive: true });
  }
});

Deno.test("drill: a restic destination runs restic check; a damaged pack fails it", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-drill-restic-" });
  try {
    const local = join(root, "local");
    await Deno.mkdir(local);
    await Deno.writeTextFile(join(local, "a.txt"), "alpha\n");
    const docs = initialDocuments(await newSecrets(2), "Ada");
    const repo = join(root, "repo");
    const dest = { name: "r", url: `restic:${repo}`, frequency: "daily" };
    const credentials = { password: "repo password" };
    docs.datasets.datasets = [{
      name: "docs",
      source: { url: url(join(root, "src")) },
      localCopy: local,
      destinations: [{ ...dest, credentials }],
    }];
    docs["metadata-locations"].locations = [];
    const ctx = { privateDir: root, now: new Date() };
    await restic.push(local, { url: dest.url, credentials }, ctx);
    const lookupBoth = (u: string) => (u.startsWith("restic:") ? restic : file);
    let r = await runDrill(docs, { lookup: lookupBoth });
    const row = () => r.checks.find((c) => c.name === "docs/r");
    assert.equal(row()?.ok, true, row()?.message);
    assert.match(row()?.message ?? "", /restic check passed/);
    for (const d of Deno.readDirSync(join(repo, "data"))) {
      for (const f of Deno.readDirSync(join(repo, "data", d.name))) {
        const pack = join(repo, "data", d.name, f.name);
        await Deno.chmod(pack, 0o600);
        const bytes = await Deno.readFile(pack);
        bytes.fill(0x58, 20, 36); // damaged in place (a lost pack makes restic retry for minutes)
        await Deno.writeFile(pack, bytes);
      }
    }
    r = await runDrill(docs, { lookup: lookupBoth });
    assert.equal(row()?.failure, "check-failed", row()?.message);
    assert.match(row()?.message ?? "", /^integrity check failed/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
