/**
 * `deno task bench`: Paradux's speed and memory, each as a ratio against a reference measured in
 * the same run (plain rsync, openssl, cryptsetup, the age CLI, bare deno). Not part of the test
 * suite. Prints one table, then the time each group took and the total.
 *
 * Groups are the files in scripts/bench/ (all but harness.ts): each exports one or more
 * `async function benchXxx(root: string): Promise<BenchRow[]>`. The known groups run in the order
 * below (cheap first); a group file that lands later is found and run after them, so a new group
 * needs no edit here. `deno task bench NAME...` runs only the groups whose file names are given
 * (e.g. `deno task bench startup luks2`). The whole run is meant to stay under 10 minutes on
 * 2 cores; the printed total shows whether it did.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BenchRow, formatTable } from "./bench/harness.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const GROUP_DIR = join(ROOT, "scripts", "bench");

/** Known group files, in the order they run; others follow in name order. */
const ORDER = ["startup", "luks2", "paper", "backup", "encrypted", "memory"];

/** One benchmark group: a file of scripts/bench/ and its bench functions. */
interface Group {
  name: string;
  runs: { fn: string; run: (root: string) => Promise<BenchRow[]> }[];
}

/** The group files present, in run order. */
export function groupOrder(files: readonly string[]): string[] {
  const names = files.filter((f) => f.endsWith(".ts") && f !== "harness.ts")
    .map((f) => basename(f, ".ts"));
  const rank = (n: string) => ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length;
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function loadGroups(only: readonly string[]): Promise<Group[]> {
  const files = [...Deno.readDirSync(GROUP_DIR)].filter((e) => e.isFile).map((e) => e.name);
  const groups: Group[] = [];
  for (const name of groupOrder(files)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const mod = await import(pathToFileURL(join(GROUP_DIR, `${name}.ts`)).href) as Record<
      string,
      unknown
    >;
    const runs = Object.entries(mod)
      .filter(([k, v]) => /^bench[A-Z]/.test(k) && typeof v === "function")
      .map(([fn, v]) => ({ fn, run: v as (root: string) => Promise<BenchRow[]> }));
    groups.push({ name, runs });
  }
  return groups;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main(args: string[]): Promise<number> {
  const t0 = performance.now();
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  const timings: string[] = [];
  for (const group of await loadGroups(args)) {
    if (group.runs.length === 0) failures.push(`${group.name}: no exported bench function`);
    for (const { fn, run } of group.runs) {
      console.error(`bench: ${group.name} (${fn}) ...`);
      const g0 = performance.now();
      try {
        rows.push(...(await run(ROOT)));
      } catch (e) {
        failures.push(`${group.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      timings.push(`${group.name} ${seconds(performance.now() - g0)}`);
    }
  }
  console.log(formatTable(rows));
  console.log(
    "ratio = paradux / reference: lower is better for times and memory, higher for capacities",
  );
  for (const f of failures) console.log(`FAILED ${f}`);
  console.log(`\ngroups: ${timings.join(", ")}`);
  console.log(
    `total: ${seconds(performance.now() - t0)} on ${navigator.hardwareConcurrency} cores`,
  );
  return failures.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
