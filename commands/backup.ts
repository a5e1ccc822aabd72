/**
 * `paradux backup [DATASET] [--location NAME] [--dry-run] [--force] [--job FILE]`: pull each
 * dataset's source into its local copy and push it to the destinations that are due. Prints one
 * line per destination; exit code 1 (`partial`) when any failed. With `--job FILE` (what the
 * systemd timers run) it reads a job file instead of opening the vault.
 * @module
 */
import { failureOf, ParaduxError } from "../errors.ts";
import {
  backupDataset,
  type BackupReport,
  type Encryption,
  type TransferEvent,
} from "../datasets/backup.ts";
import { currentDataKey } from "../datasets/data_keys.ts";
import type { Dataset } from "../vault/documents.ts";
import { readJob } from "../datasets/jobs.ts";
import { defineCommand, type Deps } from "./_command.ts";
import { findDataset, formatBytes, formatDuration, formatTime } from "./_datasets.ts";
import { countOf } from "./_io.ts";
import type { Io } from "./_io.ts";
import { interruptible } from "../system/interrupt.ts";
import { PASSPHRASE_OPTION, type PassphraseOptions } from "./_passphrase_option.ts";

/** Options of `backup`. */
export interface BackupCommandOptions extends PassphraseOptions {
  /** The dataset (default: all). */
  dataset?: string;
  /** `--location NAME`. */
  location?: string;
  /** `--dry-run`. */
  dryRun?: boolean;
  /** `--force`. */
  force?: boolean;
  /** `--full`: new chains (a full snapshot) at s3, ftp and encrypted destinations. */
  full?: boolean;
  /** `--job FILE`. */
  job?: string;
}

/** A dataset whose backup could not start (locked, bad frequency...). */
interface DatasetFailure {
  dataset: string;
  error: string;
  hint?: string;
  /** True when another paradux process holds the dataset's lock. */
  locked?: boolean;
}

/**
 * The datasets `--location NAME` applies to when no DATASET is named (pure): the one dataset
 * with a destination of that name.
 * @throws ParaduxError `usage` when none or several have one.
 */
export function datasetsWithLocation(all: readonly Dataset[], name: string): Dataset[] {
  const having = all.filter((d) => d.destinations.some((x) => x.name === name));
  if (having.length === 1) return having;
  if (having.length === 0) {
    const known = all.flatMap((d) => d.destinations.map((x) => `${d.name}/${x.name}`));
    throw new ParaduxError("usage", `no dataset has a destination named ${name}`, {
      hint: `known: ${known.join(", ") || "none"} (add one with 'paradux edit-datasets')`,
    });
  }
  throw new ParaduxError(
    "usage",
    `${having.length} datasets have a destination named ${name}: ` +
      having.map((d) => d.name).join(", "),
    { hint: `name one: paradux backup ${having[0]!.name} --location ${name}` },
  );
}

/** The lines describing one dataset's report. */
export function reportLines(report: BackupReport): string[] {
  const lines: string[] = [];
  const hint = (h: string | undefined) => h === undefined ? [] : [`         hint: ${h}`];
  if (report.pull.status === "failed") {
    lines.push(`FAILED   ${report.dataset} (source): ${report.pull.error ?? "failed"}`);
    lines.push(...hint(report.pull.hint));
  }
  if (report.pull.status === "interrupted") {
    lines.push(`INTERRUPTED ${report.dataset} (source): ${report.pull.error ?? "interrupted"}`);
  }
  for (const r of report.results) {
    const name = `${report.dataset}/${r.destination}`;
    switch (r.status) {
      case "ok": {
        const parts = [formatBytes(r.bytes ?? 0), countOf(r.files ?? 0, "file")];
        if (r.ms !== undefined) parts.push(formatDuration(r.ms));
        if (r.snapshot !== undefined) parts.push(`snapshot ${r.snapshot}`);
        lines.push(`ok       ${name}  ${r.url}  (${parts.join(", ")})`);
        for (const w of r.warnings ?? []) lines.push(`         warning: ${w}`);
        break;
      }
      case "failed":
        lines.push(`FAILED   ${name}  ${r.url}: ${r.error ?? "failed"}`);
        lines.push(...hint(r.hint));
        break;
      case "not-due":
        lines.push(
          `not due  ${name}  ${r.url}${
            r.dueAt === undefined ? "" : ` (due ${formatTime(r.dueAt)})`
          }`,
        );
        break;
      case "would-push":
        lines.push(`would push ${name}  ${r.url}`);
        break;
      case "interrupted":
        lines.push(`INTERRUPTED ${name}  ${r.url}: ${r.error ?? "interrupted"}`);
        break;
    }
  }
  return lines;
}

function progressLine(event: TransferEvent): string {
  const what = event.step === "pull" ? "pulling the source" : `pushing to ${event.destination}`;
  const p = event.progress;
  const amount = p.totalBytes === undefined
    ? formatBytes(p.bytes)
    : `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`;
  return `${what}: ${amount}${p.current === undefined ? "" : ` ${p.current}`}`.slice(0, 160);
}

async function selection(
  options: BackupCommandOptions,
  deps: Deps,
): Promise<{ datasets: Dataset[]; encryption: Encryption }> {
  if (options.job !== undefined) {
    const job = await readJob(options.job);
    if (options.dataset !== undefined && options.dataset !== job.dataset.name) {
      throw new ParaduxError("usage", `the job file is for dataset ${job.dataset.name}`, {
        hint: "leave out DATASET with --job",
      });
    }
    return { datasets: [job.dataset], encryption: job.encryption };
  }
  // loaded here: the vault's module graph is most of the start-up that `--job` does not need
  const { openHomeVault } = await import("./_vault.ts");
  const vault = await openHomeVault(options, deps);
  const all = vault.docs.datasets.datasets;
  const key = currentDataKey(vault.docs.secrets);
  const encryption = { recipient: key.recipient, keyGeneration: key.generation };
  if (options.dataset !== undefined) {
    return { datasets: [findDataset(all, options.dataset)], encryption };
  }
  if (all.length === 0) {
    throw new ParaduxError("not-found", "the vault names no dataset", {
      hint: "add one with 'paradux edit-datasets'",
    });
  }
  if (options.location !== undefined) {
    return { datasets: datasetsWithLocation(all, options.location), encryption };
  }
  return { datasets: [...all], encryption };
}

/** The one-line summary after Ctrl-C: what finished and what did not (pure). */
export function interruptedSummary(reports: readonly BackupReport[], notStarted: string[]): string {
  const results = reports.flatMap((r) => r.results);
  const done = results.filter((r) => r.status === "ok").length;
  const stopped = results.filter((r) => r.status === "interrupted" && r.error !== "not started")
    .length + reports.filter((r) => r.pull.status === "interrupted").length;
  const waiting = results.filter((r) => r.status === "interrupted" && r.error === "not started")
    .length;
  const parts = [`${countOf(done, "destination")} finished`, `${stopped} stopped`];
  parts.push(`${waiting} not started`);
  if (notStarted.length > 0) parts.push(`${countOf(notStarted.length, "dataset")} not started`);
  return `interrupted: ${parts.join(", ")}`;
}

function print(io: Io, reports: BackupReport[], failures: DatasetFailure[]): void {
  for (const r of reports) for (const line of reportLines(r)) io.out(line);
  for (const f of failures) {
    io.out(`FAILED   ${f.dataset}: ${f.error}`);
    if (f.hint !== undefined) io.out(`         hint: ${f.hint}`);
  }
}

/** The `backup` command. */
export const command = defineCommand<BackupCommandOptions>({
  name: "backup",
  summary: "copy datasets to their destinations (those that are due)",
  description:
    "Pulls each dataset's source into its local copy, then pushes it to every destination\n" +
    "that is due by its frequency (--location NAME: that one, due or not, of the dataset\n" +
    "that has it when no DATASET is named; --force: all).\n" +
    "A failing destination does not stop the others; exit code 1 when any failed, 7 when\n" +
    "another paradux backup of the dataset holds its lock.\n" +
    "--job FILE runs from a job file (what the systemd timers do) without the vault.",
  args: [{ name: "[dataset]", description: "the dataset (default: every dataset)" }],
  options: [
    { flags: "--location <name>", description: "push only to this destination, due or not" },
    { flags: "--force", description: "push to every destination, due or not" },
    {
      flags: "--full",
      description: "start new chains: s3, ftp and encrypted destinations get a full snapshot",
    },
    { flags: "--dry-run", description: "show what would be pushed; transfer nothing" },
    { flags: "--job <file>", description: "read the dataset from a job file instead of the vault" },
    PASSPHRASE_OPTION,
  ],
  json: true,
  async run(options, deps) {
    const { io, globals } = deps;
    const { datasets, encryption } = await selection(options, deps);
    const { reports, failures, notStarted, interrupted } = await interruptible(async (signal) => {
      const reports: BackupReport[] = [];
      const failures: DatasetFailure[] = [];
      const notStarted: string[] = [];
      for (const dataset of datasets) {
        if (signal.aborted) {
          notStarted.push(dataset.name);
          continue;
        }
        try {
          reports.push(
            await backupDataset(dataset, {
              home: globals.home,
              encryption,
              signal,
              ...(options.location === undefined ? {} : { only: options.location }),
              ...(options.force === true ? { force: true } : {}),
              ...(options.full === true ? { full: true } : {}),
              ...(options.dryRun === true ? { dryRun: true } : {}),
              onStep: (step, destination) =>
                io.progress(
                  step === "pull"
                    ? `${dataset.name}: pulling the source...`
                    : `${dataset.name}: pushing to ${destination}...`,
                ),
              onProgress: (e) => io.progress(`${dataset.name}: ${progressLine(e)}`),
            }),
          );
        } catch (e) {
          if (!(e instanceof ParaduxError) || e.kind === "usage") throw e;
          failures.push({
            dataset: dataset.name,
            ...failureOf(e),
            ...(e.kind === "locked" ? { locked: true } : {}),
          });
        } finally {
          io.progress("", true);
        }
      }
      return { reports, failures, notStarted, interrupted: signal.aborted };
    });
    if (interrupted) {
      if (globals.json) io.json({ reports, failures, interrupted: true, notStarted });
      else {
        print(io, reports, failures);
        for (const name of notStarted) io.out(`INTERRUPTED ${name}: not started`);
      }
      throw new ParaduxError("interrupted", interruptedSummary(reports, notStarted), {
        hint: "run 'paradux backup' again: finished snapshots stay, the rest is pushed then",
      });
    }
    if (globals.json) io.json({ reports, failures });
    else print(io, reports, failures);
    const failed = failures.length +
      reports.reduce(
        (n, r) =>
          n + r.results.filter((x) => x.status === "failed").length +
          (r.pull.status === "failed" && r.results.length === 0 ? 1 : 0),
        0,
      );
    if (failed > 0 && failures.length === failed && failures.every((f) => f.locked === true)) {
      throw new ParaduxError(
        "locked",
        `another paradux backup of ${failures.map((f) => f.dataset).join(", ")} is running`,
        {
          hint: "wait for it to finish or stop it (systemctl stop 'paradux-backup@*'), then retry",
        },
      );
    }
    if (failed > 0) {
      throw new ParaduxError("partial", `${countOf(failed, "backup")} failed`, {
        hint: "see the FAILED lines above; fix the location and run 'paradux backup' again",
      });
    }
  },
});
