/**
 * systemd: calendar specs (`systemd-analyze calendar`), unit-file syntax (quoting for
 * ExecStart and path lists), verifying units (`systemd-analyze verify`), and installing them
 * (`/etc/systemd/system` plus `systemctl daemon-reload` / `enable --now`, or a `--root` tree for
 * packaging and tests, where systemctl is never run).
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { writeFileAtomic } from "./atomic.ts";
import { exec, lastLine, stderrText, stdoutText } from "./exec.ts";

/** Where units go: `ROOT/etc/systemd/system`, or `/etc/systemd/system` without a root. */
export function unitDir(root?: string): string {
  return join(root ?? "/", "etc/systemd/system");
}

/** True when systemd is the running init (sd_booted: `/run/systemd/system` exists). */
export function systemdRunning(): boolean {
  try {
    return Deno.statSync("/run/systemd/system").isDirectory;
  } catch {
    return false;
  }
}

/** Arguments of `systemd-analyze calendar` for one spec, from `base`, `iterations` elapses. */
export function calendarArgs(spec: string, base?: Date, iterations = 1): string[] {
  const args = ["calendar", `--iterations=${iterations}`];
  if (base !== undefined) args.push(`--base-time=@${Math.floor(base.getTime() / 1000)}`);
  args.push(spec);
  return args;
}

/**
 * The elapses in `systemd-analyze calendar` output run with TZ=UTC
 * (`Next elapse: Sun 2026-01-04 03:00:00 UTC`, `Iter. #2: ...`); `never` gives none.
 */
export function parseCalendarOutput(text: string): Date[] {
  const out: Date[] = [];
  const re =
    /^\s*(?:Next elapse|Iter\. #\d+):\s+\w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC\s*$/gm;
  for (const m of text.matchAll(re)) out.push(new Date(`${m[1]}T${m[2]}Z`));
  return out;
}

/**
 * The first `iterations` elapses of an OnCalendar `spec` strictly after `base` (UTC).
 * @throws ParaduxError `input` for an invalid spec.
 */
export async function calendarNext(spec: string, base: Date, iterations = 1): Promise<Date[]> {
  const r = await exec("systemd-analyze", calendarArgs(spec, base, iterations), {
    env: { TZ: "UTC", LC_ALL: "C" },
    check: false,
  });
  if (r.code !== 0) throw invalidCalendar(spec, stderrText(r));
  return parseCalendarOutput(stdoutText(r));
}

function invalidCalendar(spec: string, stderr: string): ParaduxError {
  return new ParaduxError(
    "input",
    `invalid frequency ${JSON.stringify(spec)}: ${lastLine(stderr)}`,
    {
      hint: "use hourly, daily, weekly, monthly or a systemd OnCalendar expression " +
        "(check it with 'systemd-analyze calendar')",
    },
  );
}

/** Checks an OnCalendar spec with systemd-analyze: a problem message, or undefined when valid. */
export async function calendarProblem(spec: string): Promise<string | undefined> {
  const r = await exec("systemd-analyze", ["calendar", spec], { check: false });
  return r.code === 0 ? undefined : invalidCalendar(spec, stderrText(r)).message;
}

const BARE = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * One word for a unit file's command line or path list: `%` doubled (specifiers), `$` doubled
 * (ExecStart's variable expansion), and double quotes with C escapes when needed.
 */
export function unitWord(word: string): string {
  const escaped = word.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (escaped !== "" && BARE.test(word)) return escaped;
  const quoted = escaped.replace(/[\\"]/g, (c) => `\\${c}`).replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return `"${quoted}"`;
}

/** An ExecStart= value for `argv` (absolute program path first). */
export function execLine(argv: readonly string[]): string {
  return argv.map(unitWord).join(" ");
}

/** A ReadWritePaths= value; `optional` paths get systemd's `-` prefix (missing is ignored). */
export function pathList(paths: readonly { path: string; optional?: boolean }[]): string {
  return paths.map((p) => unitWord(`${p.optional === true ? "-" : ""}${p.path}`)).join(" ");
}

/** Arguments of `systemd-analyze verify` for unit files. */
export function verifyArgs(files: readonly string[], root?: string): string[] {
  return ["verify", "--man=no", ...(root === undefined ? [] : [`--root=${root}`]), ...files];
}

/**
 * Runs `systemd-analyze verify` on unit files; returns its complaints (empty = clean).
 * Needs every ExecStart program to exist.
 */
export async function verifyUnits(files: readonly string[]): Promise<string[]> {
  const r = await exec("systemd-analyze", verifyArgs(files), {
    check: false,
    env: { SYSTEMD_LOG_LEVEL: "warning" },
  });
  const text = (stderrText(r) + stdoutText(r)).trim();
  if (r.code === 0 && text === "") return [];
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** Writes unit files (name -> text, mode 0644) into `dir`, creating it. */
export async function writeUnitFiles(
  dir: string,
  units: ReadonlyMap<string, string>,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  for (const [name, text] of units) {
    await writeFileAtomic(join(dir, name), text, { mode: 0o644 });
  }
}

/** The unit files in `dir` whose names match `re`. */
export async function listUnitFiles(dir: string, re: RegExp): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && re.test(e.name)) out.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/** Arguments for `systemctl` actions on units. */
export function systemctlArgs(
  action: "daemon-reload" | "enable" | "disable",
  units: readonly string[] = [],
): string[] {
  if (action === "daemon-reload") return ["daemon-reload"];
  return [action, "--now", ...units];
}

/** Runs `systemctl ARGS` (only on a live system, never for a `--root` tree). */
export async function systemctl(args: readonly string[]): Promise<void> {
  await exec("systemctl", args);
}
