/**
 * `paradux status-datasets`: the datasets and, per destination, the last success and failure,
 * age, next run, and a flag on overdue or failing ones (from the state file; a destination with
 * no run recorded here is read for what it holds), and whether it is
 * encrypted and with which data key generation. `--json` gives `{datasets: [the document],
 * status: [per dataset]}` (each destination's status has `encryption`); credentials are masked
 * unless `--show-credentials`.
 * @module
 */
import { listSnapshots } from "../datasets/backup.ts";
import {
  datasetStatuses,
  type DestinationStatus,
  type HeldSnapshots,
} from "../datasets/dataset_status.ts";
import { readState } from "../datasets/state.ts";
import { datasetsEncryption, encryptionLabel } from "../datasets/encryption_status.ts";
import { defineCommand } from "./_command.ts";
import { formatAge, formatTime } from "./_datasets.ts";
import {
  maskCredentials,
  maskUrl,
  SHOW_CREDENTIALS_OPTION,
  type StatusOptions,
} from "./_status.ts";
import { openHomeVault, PASSPHRASE_OPTION } from "./_vault.ts";

/** One line for a destination's status. */
export function destinationLine(s: DestinationStatus, url: string, now: Date): string {
  const flags = [
    ...(s.overdue ? ["OVERDUE"] : []),
    ...(s.failing ? ["FAILING"] : []),
  ];
  const last = s.lastSuccess !== undefined
    ? `last ok ${formatTime(s.lastSuccess)} (${formatAge(new Date(s.lastSuccess), now)})`
    : s.held === undefined
    ? "never backed up"
    : heldText(s.held, now);
  const parts = [`${s.destination}  ${url}  [${s.frequency}]`, last];
  if (s.failing && s.lastFailure !== undefined) {
    parts.push(`failed ${formatTime(s.lastFailure)}: ${s.lastError ?? ""}`);
  }
  if (s.nextRun !== undefined) parts.push(`next ${formatTime(s.nextRun)}`);
  if (s.scheduleError !== undefined) parts.push(s.scheduleError);
  return `${flags.length > 0 ? flags.join(" ") + " " : ""}${parts.join("; ")}`;
}

/** What a destination holds, for one this machine has no record of. */
function heldText(held: HeldSnapshots, now: Date): string {
  if (held.error !== undefined) {
    return `no run recorded on this machine; could not read the destination: ${held.error}`;
  }
  if (held.newest === undefined) return "never backed up (the destination holds no snapshot)";
  const n = `${held.count} snapshot${held.count === 1 ? "" : "s"}`;
  return `no run recorded on this machine; the destination holds ${n}, newest ` +
    `${formatTime(held.newest)} (${formatAge(new Date(held.newest), now)})`;
}

/** The `status-datasets` command. */
export const command = defineCommand<StatusOptions>({
  name: "status-datasets",
  summary: "show the datasets and how current each destination is",
  description:
    "Lists every dataset with, per destination, the last success and failure, its age, the\n" +
    "next scheduled run, and OVERDUE / FAILING flags. A destination with no run recorded on\n" +
    "this machine (after a recovery, say) is read to show what it holds. --json prints the\n" +
    "datasets document and the status. Credentials are masked unless --show-credentials.",
  options: [PASSPHRASE_OPTION, SHOW_CREDENTIALS_OPTION],
  json: true,
  async run(options, deps) {
    const { io, globals } = deps;
    const vault = await openHomeVault(options, deps);
    const doc = vault.docs.datasets;
    const now = new Date();
    let reading = false;
    const status = await datasetStatuses(
      doc.datasets,
      await readState(globals.home),
      now,
      (ds, d) => {
        reading = true;
        io.progress(`no run of ${ds.name} -> ${d.name} recorded here: reading the destination...`);
        return listSnapshots(ds, d);
      },
    );
    if (reading) io.progress("", true);
    const show = options.showCredentials === true;
    const encryption = datasetsEncryption(doc, vault.docs.secrets);
    if (globals.json) {
      const withEncryption = status.map((st, i) => ({
        ...st,
        destinations: st.destinations.map((d, j) => ({
          ...d,
          encryption: encryption[doc.datasets[i]?.name ?? ""]?.[j],
        })),
      }));
      io.json({ ...(show ? doc : maskCredentials(doc) as object), status: withEncryption });
      return;
    }
    if (doc.datasets.length === 0) {
      io.out("no datasets (add one with 'paradux edit-datasets')");
      return;
    }
    for (const [i, ds] of doc.datasets.entries()) {
      const st = status[i];
      io.out(`${ds.name}: ${show ? ds.source.url : maskUrl(ds.source.url)} -> ${ds.localCopy}`);
      if (st?.pull.lastFailure !== undefined && st.pull.lastFailure > (st.pull.lastSuccess ?? "")) {
        io.out(`  FAILING source: ${formatTime(st.pull.lastFailure)}: ${st.pull.lastError ?? ""}`);
      }
      for (const [j, d] of ds.destinations.entries()) {
        const s = st?.destinations[j];
        const enc = encryption[ds.name]?.[j];
        const sealed = enc === undefined ? "" : `; ${encryptionLabel(enc)}`;
        if (s !== undefined) {
          io.out(`  ${destinationLine(s, show ? d.url : maskUrl(d.url), now)}${sealed}`);
        }
      }
      if (ds.destinations.length === 0) io.out("  (no destinations)");
    }
  },
});
