/**
 * Unattended runs: per dataset, `paradux-backup@NAME.service` and `paradux-backup@NAME.timer`
 * rendered from templates/systemd/ (instance-specific unit files, so each dataset's service can
 * list exactly the paths it writes in `ReadWritePaths=`), plus the job files (datasets/jobs.ts).
 *
 * - The timer has one `OnCalendar=` per distinct destination frequency and `Persistent=true`;
 *   when it fires, `backup --job` pushes only the destinations that are due.
 * - The service runs hardened (NoNewPrivileges, ProtectSystem=strict, PrivateTmp unless a path it
 *   uses is under /tmp or /var/tmp, see {@link privateTmpFor}) and may write only the local
 *   copy, `HOME/state`, `HOME/locks`, and the parent directories of destinations on this
 *   machine's disk (`file://`, a local restic repository: optional paths, so an unplugged
 *   drive does not stop the other destinations).
 * - ExecStart is the running program: a compiled `paradux` binary runs itself; under `deno run`
 *   it is `deno run -q -P=paradux --config REPO/deno.json REPO/main.ts` (see {@link programArgv}).
 *
 * {@link refreshUnattended} runs after every vault change: job files always; units into
 * `$PARADUX_UNITS_ROOT` when set (tests, packaging), into /etc/systemd/system with systemctl
 * when running as root on a systemd machine, otherwise not at all.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ParaduxError } from "../errors.ts";
import {
  calendarProblem,
  execLine,
  listUnitFiles,
  pathList,
  systemctl,
  systemctlArgs,
  systemdRunning,
  unitDir,
  writeUnitFiles,
} from "../system/systemd.ts";
import { protocolFor } from "../protocols/lookup.ts";
import type { Dataset, Documents } from "../vault/documents.ts";
import { jobPath, type JobsReport, writeJobs } from "./jobs.ts";
import { isNamedFrequency } from "./schedule.ts";
import { locksDir, stateDir } from "./state.ts";

/** The environment variable naming a root directory for units (tests, packaging). */
export const UNITS_ROOT_ENV = "PARADUX_UNITS_ROOT";

/** Unit files Paradux owns in a unit directory. */
export const UNIT_NAME = /^paradux-backup@[a-z0-9-]+\.(service|timer)$/;

/** The unit templates' text. */
export interface UnitTemplates {
  /** templates/systemd/paradux-backup@.service */
  service: string;
  /** templates/systemd/paradux-backup@.timer */
  timer: string;
}

/** Reads the unit templates shipped with Paradux (embedded in a compiled binary). */
export async function loadTemplates(): Promise<UnitTemplates> {
  const at = (name: string) =>
    fileURLToPath(new URL(`../templates/systemd/${name}`, import.meta.url));
  return {
    service: await Deno.readTextFile(at("paradux-backup@.service")),
    timer: await Deno.readTextFile(at("paradux-backup@.timer")),
  };
}

/**
 * The command that runs this Paradux: `[execPath]` for a compiled binary; for `deno run`
 * (execPath named `deno`), `deno run -q -P=paradux --config DIR/deno.json MAIN`.
 */
export function programArgv(execPath: string, mainModule: string): string[] {
  if (!/^deno(\.exe)?$/.test(basename(execPath)) || !mainModule.startsWith("file:")) {
    return [execPath];
  }
  const main = fileURLToPath(mainModule);
  return [execPath, "run", "-q", "-P=paradux", "--config", join(dirname(main), "deno.json"), main];
}

/** The running program's command (see {@link programArgv}). */
export function currentProgram(): string[] {
  return programArgv(Deno.execPath(), Deno.mainModule);
}

/** The full ExecStart command of a dataset's service. */
export function backupArgv(program: readonly string[], home: string, dataset: string): string[] {
  return [...program, "--vault", home, "backup", "--job", jobPath(home, dataset)];
}

/** The distinct frequencies of a dataset's destinations, in document order. */
export function calendarsOf(dataset: Dataset): string[] {
  return [...new Set(dataset.destinations.map((d) => d.frequency))];
}

/**
 * The directory on this machine a location URL lives in (a `file://` directory, a local restic
 * repository), from its protocol; undefined for remote locations and unknown schemes.
 */
export function localPathOf(url: string): string | undefined {
  try {
    return protocolFor(url).localPath?.(url);
  } catch {
    return undefined;
  }
}

/** What a dataset's service may write. */
export function writablePaths(
  dataset: Dataset,
  home: string,
): { path: string; optional?: boolean }[] {
  const out: { path: string; optional?: boolean }[] = [
    { path: dataset.localCopy },
    { path: stateDir(home) },
    { path: locksDir(home) },
  ];
  const seen = new Set(out.map((p) => p.path));
  for (const d of dataset.destinations) {
    const file = localPathOf(d.url);
    const path = file === undefined ? undefined : dirname(file);
    if (path === undefined || path === "/" || seen.has(path)) continue;
    seen.add(path);
    out.push({ path, optional: true });
  }
  return out;
}

/** Directories a private /tmp replaces for the service. */
const TEMP_DIRS = ["/tmp", "/var/tmp"];

function underTemp(path: string): boolean {
  return TEMP_DIRS.some((t) => path === t || path.startsWith(t + "/"));
}

/**
 * `PrivateTmp=` for a dataset's service: "yes", unless the vault home, the local copy, a
 * source or a destination on this machine's disk is under /tmp or /var/tmp (a private /tmp would
 * hide them: the run would write into a throw-away directory), then "no".
 */
export function privateTmpFor(dataset: Dataset, home: string): "yes" | "no" {
  const paths = [
    home,
    dataset.localCopy,
    ...[dataset.source.url, ...dataset.destinations.map((d) => d.url)]
      .map(localPathOf)
      .filter((p): p is string => p !== undefined),
  ];
  return paths.some(underTemp) ? "no" : "yes";
}

function render(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (all, key: string) => vars[key] ?? all);
}

/** The unit files of one dataset (name -> text); none for a dataset without destinations. */
export function unitsFor(
  dataset: Dataset,
  home: string,
  program: readonly string[],
  templates: UnitTemplates,
): Map<string, string> {
  const units = new Map<string, string>();
  const calendars = calendarsOf(dataset);
  if (calendars.length === 0) return units;
  const vars = {
    DATASET: dataset.name,
    EXEC_START: execLine(backupArgv(program, home, dataset.name)),
    READ_WRITE_PATHS: pathList(writablePaths(dataset, home)),
    PRIVATE_TMP: privateTmpFor(dataset, home),
    ON_CALENDAR: calendars.map((c) => `OnCalendar=${c}`).join("\n"),
  };
  units.set(`paradux-backup@${dataset.name}.service`, render(templates.service, vars));
  units.set(`paradux-backup@${dataset.name}.timer`, render(templates.timer, vars));
  return units;
}

/** Every dataset's units. */
export function allUnits(
  docs: Documents,
  home: string,
  program: readonly string[],
  templates: UnitTemplates,
): Map<string, string> {
  const all = new Map<string, string>();
  for (const d of docs.datasets.datasets) {
    for (const [k, v] of unitsFor(d, home, program, templates)) all.set(k, v);
  }
  return all;
}

/**
 * Checks every non-named frequency with `systemd-analyze calendar`.
 * @throws ParaduxError `input` naming the invalid ones.
 */
export async function checkCalendars(docs: Documents): Promise<void> {
  const problems: string[] = [];
  for (const ds of docs.datasets.datasets) {
    for (const d of ds.destinations) {
      if (isNamedFrequency(d.frequency)) continue;
      const p = await calendarProblem(d.frequency);
      if (p !== undefined) problems.push(`${ds.name}/${d.name}: ${p}`);
    }
  }
  if (problems.length > 0) {
    throw new ParaduxError("input", `the backup timers were not updated: ${problems.join("; ")}`, {
      hint: "fix the frequency with 'paradux edit-datasets' (the rest of the change is saved)",
    });
  }
}

/** Options of {@link installUnits}. */
export interface InstallOptions {
  /** Write into `ROOT/etc/systemd/system` and run no systemctl (default: the live system). */
  root?: string;
  /** The program command (default: the running one). */
  program?: readonly string[];
}

/** What {@link installUnits} did. */
export interface InstallReport {
  /** The unit directory. */
  dir: string;
  /** Unit files written. */
  written: string[];
  /** Stale unit files removed (datasets gone or without destinations). */
  removed: string[];
  /** True when systemctl daemon-reload / enable --now ran. */
  live: boolean;
}

/** Writes every dataset's units (removing stale ones); on the live system also enables them. */
export async function installUnits(
  docs: Documents,
  home: string,
  options: InstallOptions = {},
): Promise<InstallReport> {
  await checkCalendars(docs);
  const live = options.root === undefined;
  const dir = unitDir(options.root);
  const units = allUnits(docs, home, options.program ?? currentProgram(), await loadTemplates());
  const stale = (await listUnitFiles(dir, UNIT_NAME)).filter((n) => !units.has(n));
  if (live) {
    const staleTimers = stale.filter((n) => n.endsWith(".timer"));
    if (staleTimers.length > 0) {
      await systemctl(systemctlArgs("disable", staleTimers)).catch(() => {});
    }
    // the service's ReadWritePaths must exist when it starts
    for (const ds of docs.datasets.datasets) await Deno.mkdir(ds.localCopy, { recursive: true });
    await Deno.mkdir(stateDir(home), { recursive: true, mode: 0o700 });
    await Deno.mkdir(locksDir(home), { recursive: true, mode: 0o700 });
  }
  for (const name of stale) await Deno.remove(join(dir, name)).catch(() => {});
  await writeUnitFiles(dir, units);
  if (live) {
    await systemctl(systemctlArgs("daemon-reload"));
    const timers = [...units.keys()].filter((n) => n.endsWith(".timer"));
    if (timers.length > 0) await systemctl(systemctlArgs("enable", timers));
  }
  return { dir, written: [...units.keys()].map((n) => join(dir, n)), removed: stale, live };
}

/** Where units go after a vault change: a root, the live system, or nowhere (and why). */
export function unitTarget(
  env: (name: string) => string | undefined,
  uid: number | null,
  systemd: boolean,
): { root?: string } | { skip: string } {
  const root = env(UNITS_ROOT_ENV);
  if (root !== undefined && root !== "") return { root };
  if (uid !== 0) return { skip: "not running as root" };
  if (!systemd) return { skip: "systemd is not running" };
  return {};
}

/** What {@link refreshUnattended} did. */
export interface RefreshReport {
  /** The job files. */
  jobs: JobsReport;
  /** The units, or why they were not installed. */
  units: InstallReport | { skipped: string };
}

/** After a vault change: rewrite the job files, then the units where they belong. */
export async function refreshUnattended(
  docs: Documents,
  home: string,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Promise<RefreshReport> {
  const jobs = await writeJobs(docs, home);
  const target = unitTarget(env, Deno.uid(), systemdRunning());
  if ("skip" in target) return { jobs, units: { skipped: target.skip } };
  return { jobs, units: await installUnits(docs, home, target) };
}
