/**
 * `paradux drill`: a recovery rehearsal that touches no live data. Checks every metadata copy
 * (opens with the recovery secret, current), the stored shares (k reconstruct the secret) and
 * every destination of every dataset (reachable, recent, own integrity check, restore of a
 * sample matches the local copy). Prints a pass/fail table; exit 1 (partial) on any failure.
 * Suitable for a monthly timer.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { type DrillCheck, type DrillReport, runDrill } from "../drill/drill.ts";
import { defineCommand } from "./_command.ts";
import type { Io } from "./_io.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `drill`. */
export interface DrillCommandOptions extends PassphraseOptions {
  /** `--sample N`: files compared by content per destination. */
  sample?: string;
}

/** The table rows of a report, aligned. */
export function drillTable(checks: readonly DrillCheck[]): string[] {
  const rows = checks.map((c) => [c.area, c.name, c.ok ? "pass" : "FAIL", c.message]);
  const head = ["CHECK", "NAME", "RESULT", "DETAILS"];
  const widths = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd();
  return [line(head), ...rows.map(line)];
}

/** Prints the report: the table, the hints of failures, the verdict. */
export function printDrill(io: Io, report: DrillReport): void {
  for (const l of drillTable(report.checks)) io.out(l);
  const failed = report.checks.filter((c) => !c.ok);
  for (const c of failed) if (c.hint !== undefined) io.out(`hint for ${c.name}: ${c.hint}`);
  io.out(
    failed.length === 0
      ? `drill passed: all ${report.checks.length} checks`
      : `drill FAILED: ${failed.length} of ${report.checks.length} checks`,
  );
}

/** The `drill` command. */
export const command = defineCommand<DrillCommandOptions>({
  name: "drill",
  summary: "rehearse recovery: check metadata copies, shares and destinations",
  description: "Touches no live data. For every metadata location: its vault export opens with " +
    "the recovery secret (Paradux's LUKS2 engine) and matches the live vault. The stored shares: " +
    "k of them reconstruct the recovery secret. For every destination of every dataset: " +
    "reachable, newest snapshot recent (twice its frequency), the protocol's own check (restic " +
    "check, part hashes of encrypted archives), and a restore into a temporary directory " +
    "matches the local copy (all names; contents of a sample). Exit 1 when any check fails.",
  options: [
    PASSPHRASE_OPTION,
    {
      flags: "--sample <n>",
      description: "files compared by content per destination",
      default: "20",
    },
  ],
  json: true,
  async run(options, deps) {
    const sample = Number(options.sample ?? "20");
    if (!Number.isInteger(sample) || sample < 0) {
      throw new ParaduxError("usage", "--sample must be a whole number", {
        hint: "e.g. --sample 50",
      });
    }
    const vault = await openHomeVault(options, deps);
    const report = await runDrill(vault.docs, {
      sample,
      ...(deps.recovery === undefined ? {} : { recovery: deps.recovery }),
      onCheck: (area, name) => deps.io.progress(`checking ${area} ${name}...`),
    });
    deps.io.progress("", true);
    if (deps.globals.json) deps.io.json(report);
    else printDrill(deps.io, report);
    if (!report.ok) {
      const failed = report.checks.filter((c) => !c.ok);
      const names = failed.map((c) => c.area === c.name ? c.area : `${c.area} ${c.name}`);
      throw new ParaduxError(
        "partial",
        `${failed.length} of ${report.checks.length} drill checks failed: ${names.join(", ")}`,
        { hint: "fix what the table shows, then run 'paradux drill' again" },
      );
    }
  },
});
