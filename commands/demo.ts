/**
 * `paradux demo` (`deno task demo`): the whole story on one machine, in a temp directory, with
 * local protocols only. Make a vault, a dataset, three stewards (k = 2) and two metadata
 * locations; back up; publish; print the steward packages; rehearse with a drill. Then the
 * house burns: the vault, the data, the local copy and the Paradux home are deleted. On a
 * borrowed machine, two stewards' package PDFs are read back through pdftoppm and QR scanning,
 * the recovery secret opens a published vault export, and the dataset is restored and compared
 * byte for byte. Every step is printed; the last line is the verdict; exit 0 only on success.
 *
 * Everything runs in-process through the same library functions as the commands. The demo's
 * everyday keyslots use a cheap KDF (drill/demo.ts DEMO_PBKDF, throwaway vaults only), and
 * PARADUX_UNITS_ROOT points inside the temp directory while it runs, so installing the
 * recovered vault writes the demo's job files and systemd units there, never into the live
 * system.
 * @module
 */
import { join } from "node:path";
import denoJson from "../deno.json" with { type: "json" };
import { ParaduxError } from "../errors.ts";
import { backupDataset, restoreDataset } from "../datasets/backup.ts";
import {
  checkDemoTools,
  DEMO_PBKDF,
  digestDifferences,
  fileUrl,
  installFromLocation,
  makeDemoWorld,
  mnemonicFromPackagePdfs,
  shortKey,
  treeDigest,
  writeDemoData,
} from "../drill/demo.ts";
import type { Documents } from "../vault/documents.ts";
import { runDrill } from "../drill/drill.ts";
import { publishError, publishVault } from "../vault/publish.ts";
import { issueShares } from "../stewards/shares.ts";
import { renderStewardPackage } from "../stewards/steward_package.ts";
import { UNITS_ROOT_ENV } from "../datasets/units.ts";
import { createVault, saveVault } from "../vault/vault.ts";
import { defineCommand } from "./_command.ts";
import type { Io } from "./_io.ts";
import { type RecoveryPath, SURVIVOR_PATH } from "../recovery/survivor_path.ts";
import { newVaultSecrets } from "../stewards/recovery_card.ts";

/** Options of `demo`. */
export interface DemoOptions {
  /** `--keep`: leave the temp directory for inspection. */
  keep?: boolean;
}

/** The verdict line of a successful demo. */
export const DEMO_PASSED =
  "DEMO PASSED: every file came back byte for byte from two stewards' paper";
/** The verdict line of a failed demo. */
export const DEMO_FAILED = "DEMO FAILED";

const STEWARDS = [
  { id: "alice", name: "Alice Martin", email: "alice@example.org" },
  { id: "bob", name: "Bob Chen", phone: "+1 555 0100" },
  { id: "carol", name: "Carol Okafor", address: "12 Elm Street" },
];

function stepper(io: Io, total: number) {
  let n = 0;
  return {
    step(title: string) {
      n++;
      io.out("");
      io.out(`[${n}/${total}] ${title}`);
    },
    say: (line: string) => io.out(`      ${line}`),
  };
}

function demoDocs(docs: Documents, w: Awaited<ReturnType<typeof makeDemoWorld>>): Documents {
  return {
    ...docs,
    user: { name: "Demo User", email: "demo@example.org", phone: "+1 555 0199" },
    stewards: { stewards: STEWARDS },
    "metadata-locations": {
      locations: [
        { name: "cloud-a", url: fileUrl(w.clouds[0]) },
        { name: "cloud-b", url: fileUrl(w.clouds[1]) },
      ],
    },
    datasets: {
      datasets: [{
        name: "documents",
        source: { url: fileUrl(w.data) },
        localCopy: w.local,
        destinations: [{ name: "offsite-usb", url: fileUrl(w.usb), frequency: "daily" }],
      }],
    },
  };
}

async function runDemo(
  io: Io,
  onWorld: (root: string) => void,
  path: RecoveryPath,
): Promise<void> {
  const { step, say } = stepper(io, 11);
  step("checking the programs the demo needs (cryptsetup, rsync, pdftoppm)");
  checkDemoTools();
  say("all installed");

  const w = await makeDemoWorld();
  onWorld(w.root);
  // the demo's vaults must never touch the live system's timers: units go inside the world
  Deno.env.set(UNITS_ROOT_ENV, join(w.root, "systemd-units"));
  step(`setting up a pretend world in ${w.root}`);
  say("laptop/            the Paradux home, your documents and their local copy");
  say("offsite-usb-drive/ a drive kept at a friend's house (the backup destination)");
  say("cloud-a/ cloud-b/  two places where vault copies are published");
  const original = await writeDemoData(w.data);
  say(`wrote ${original.size} files to back up`);

  step("paradux init: a new vault with a fresh recovery secret (2 of 3 stewards needed)");
  const passphrase = new TextEncoder().encode("demo everyday passphrase");
  let vault = await createVault(w.home, passphrase, {
    secrets: await newVaultSecrets(2, "Demo User"),
    userName: "Demo User",
    pbkdf: DEMO_PBKDF,
  });
  say(`created ${vault.path}`);

  step("defining the dataset, the stewards and the metadata locations");
  const issued = await issueShares(demoDocs(vault.docs, w));
  vault = await saveVault(vault, issued.docs);
  for (const s of issued.issued) say(`steward ${s.stewardId} holds share ${s.index}`);
  say(`vault signing key ${shortKey(vault.docs)}...`);

  step("paradux backup documents: source -> local copy -> offsite drive");
  const dataset = vault.docs.datasets.datasets[0]!;
  const backup = await backupDataset(dataset, { home: w.home, force: true });
  for (const r of backup.results) {
    if (r.status !== "ok") {
      throw new ParaduxError(
        "tool-failed",
        `backup to ${r.destination} failed: ${r.error ?? r.status}`,
      );
    }
    say(`${r.destination}: snapshot ${r.snapshot ?? "?"} (${r.files ?? "?"} files)`);
  }

  step("paradux publish-metadata: vault export (recovery keyslot only) to both locations");
  const published = await publishVault(vault);
  for (const r of published.results) say(`${r.location}: ${r.ok ? "ok" : `FAILED ${r.error}`}`);
  const pubErr = publishError(published);
  if (pubErr !== null) throw pubErr;

  step("paradux export-steward-packages: one PDF per steward (letter, share, recovery card)");
  const pdfs: Record<string, string> = {};
  for (const s of STEWARDS) {
    const pkg = await renderStewardPackage(vault.docs, s.id, {
      version: denoJson.version,
      now: new Date(),
    });
    const dir = join(w.stewards, s.id);
    await Deno.mkdir(dir, { recursive: true });
    pdfs[s.id] = join(dir, "package.pdf");
    await Deno.writeFile(pdfs[s.id]!, pkg.pdf);
    say(`${s.name}: ${pdfs[s.id]} (share ${pkg.index})`);
  }

  step("paradux drill: rehearse before anything goes wrong");
  const drill = await runDrill(vault.docs, { recovery: path });
  for (const c of drill.checks) say(`${c.ok ? "pass" : "FAIL"} ${c.area} ${c.name}: ${c.message}`);
  if (!drill.ok) throw new ParaduxError("partial", "the drill failed before the disaster");

  step("DISASTER: the house burns down (laptop, vault, documents, local copy all gone)");
  await Deno.remove(w.laptop, { recursive: true });
  say(`deleted ${w.laptop}`);
  say("no passphrase is remembered; only two stewards and the cloud copies are left");

  step("recovery on a borrowed machine: scan Alice's and Carol's package PDFs");
  const got = await mnemonicFromPackagePdfs([pdfs["alice"]!, pdfs["carol"]!], path);
  say(`read ${got.codes} QR codes (pdftoppm + QR scanning)`);
  say(`shares ${got.indices.join(" and ")} rebuilt the recovery secret`);
  if (!got.authenticated) throw new ParaduxError("auth", "the shares or the card did not verify");
  say("the recovery card and both shares carry valid signatures of the vault key");
  const newHome = join(w.borrowed, "paradux-home");
  const newPass = new TextEncoder().encode("a brand new everyday passphrase");
  const recovered = await installFromLocation(
    fileUrl(w.clouds[1]),
    got.secret,
    newHome,
    newPass,
    path,
  );
  say(`downloaded the vault export from cloud-b; the recovery secret opens it`);
  say(`installed it in ${newHome} with a new everyday passphrase`);

  step("paradux restore documents, then compare with the originals");
  const target = join(w.borrowed, "documents");
  const restoredSet = recovered.datasets.datasets[0]!;
  const restored = await restoreDataset(restoredSet, { home: newHome, to: target });
  say(`restored from ${restored.destination} into ${target}`);
  const differences = digestDifferences(original, await treeDigest(target));
  if (differences.length > 0) {
    throw new ParaduxError("partial", `the restored data differs: ${differences.join(", ")}`);
  }
  say(`all ${original.size} files are byte-identical (SHA-256)`);
}

/** The `demo` command. */
export const command = defineCommand<DemoOptions>({
  name: "demo",
  summary: "run the whole disaster-and-recovery story in a temp directory",
  description: "Makes a vault, a dataset, three stewards (2 needed) and two metadata locations " +
    "in a temporary directory (local file locations only); backs up, publishes, prints the " +
    "steward packages and runs a drill; deletes the laptop (vault, data, local copy, home); " +
    "recovers from two package PDFs through pdftoppm and QR scanning; restores and compares " +
    "byte for byte. Needs cryptsetup, rsync and pdftoppm (poppler-utils). The demo's vaults " +
    "use a cheap everyday KDF (they are deleted at the end). Exit 0 only on success.",
  options: [{ flags: "--keep", description: "keep the temporary directory for inspection" }],
  async run(options, { io, recovery }) {
    const started = performance.now();
    let root: string | undefined;
    const unitsRoot = Deno.env.get(UNITS_ROOT_ENV);
    try {
      await runDemo(io, (r) => (root = r), recovery ?? SURVIVOR_PATH);
    } catch (e) {
      io.out("");
      io.out(`${DEMO_FAILED}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    } finally {
      if (unitsRoot === undefined) Deno.env.delete(UNITS_ROOT_ENV);
      else Deno.env.set(UNITS_ROOT_ENV, unitsRoot);
      if (root !== undefined && options.keep !== true) {
        await Deno.remove(root, { recursive: true }).catch(() => {});
      } else if (root !== undefined) io.out(`kept ${root}`);
    }
    io.out("");
    io.out(`${DEMO_PASSED} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  },
});
