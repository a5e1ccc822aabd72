/**
 * What follows a saved vault change, explicitly, in the command that made it: the job files
 * and systemd units are rewritten ({@link afterVaultChange}), then the vault export is
 * published unless `settings.publishAfterEdit` is false. A failing automatic publish is
 * reported on stderr and never undoes the change that was saved.
 * @module
 */
import { failureOf } from "../errors.ts";
import { type PublishReport, publishVault } from "../vault/publish.ts";
import { refreshUnattended } from "../datasets/units.ts";
import type { OpenedVault } from "../vault/vault.ts";
import type { Deps } from "./_command.ts";
import { countOf, type Io } from "./_io.ts";

/** Prints one line per location: `ok     NAME  URL` or `FAILED NAME  URL: why`. */
export function printPublishReport(io: Io, report: PublishReport, line = io.out): void {
  for (const r of report.results) {
    if (r.ok) line(`ok      ${r.location}  ${r.url}`);
    else {
      line(`FAILED  ${r.location}  ${r.url}: ${r.error ?? "failed"}`);
      if (r.hint !== undefined) line(`        hint: ${r.hint}`);
    }
  }
}

/** What the automatic publish did. */
export type AutoPublish = "off" | "no-locations" | "published" | "failed";

/**
 * Publishes a just-saved vault when the settings ask for it; reports on stderr; never throws
 * a user error (the change is saved either way).
 */
export async function publishAfterSave(vault: OpenedVault, deps: Deps): Promise<AutoPublish> {
  const { io } = deps;
  if (vault.docs.settings.publishAfterEdit === false) return "off";
  if (vault.docs["metadata-locations"].locations.length === 0) return "no-locations";
  io.progress("publishing the vault export...");
  let report: PublishReport;
  try {
    report = await publishVault(vault);
  } catch (e) {
    io.progress("", true);
    const f = failureOf(e);
    io.err(`the change is saved, but publishing the vault export failed: ${f.error}`);
    io.err("hint: run 'paradux publish-metadata' to try again");
    return "failed";
  }
  io.progress("", true);
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length === 0) {
    io.err(`published the vault export to ${countOf(report.results.length, "metadata location")}`);
    return "published";
  }
  io.err("the change is saved, but publishing the vault export failed at some locations:");
  printPublishReport(io, report, io.err);
  io.err("hint: fix them, then run 'paradux publish-metadata'");
  return "failed";
}

/**
 * After a saved vault change: rewrites the unattended-run files (job files, units) from the
 * saved documents, then publishes when the settings ask for it ({@link publishAfterSave}).
 */
export async function afterVaultChange(vault: OpenedVault, deps: Deps): Promise<AutoPublish> {
  await refreshUnattended(vault.docs, vault.home);
  return await publishAfterSave(vault, deps);
}
