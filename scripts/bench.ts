/**
 * `deno task bench`: Paradux's speed and memory, each as a ratio against a reference measured in
 * the same run (plain rsync, openssl, cryptsetup, the age CLI, bare deno). Not part of the test
 * suite. Prints one table.
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRow, formatTable } from "./bench/harness.ts";
import { benchStartup } from "./bench/startup.ts";
import { benchLuks2 } from "./bench/luks2.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The benchmark groups, in the order they run. */
const GROUPS: { name: string; run: (root: string) => Promise<BenchRow[]> }[] = [
  { name: "start-up", run: benchStartup },
  { name: "LUKS2 engine", run: benchLuks2 },
];

async function main(): Promise<number> {
  const rows: BenchRow[] = [];
  let failed = false;
  for (const group of GROUPS) {
    console.error(`bench: ${group.name} ...`);
    try {
      rows.push(...(await group.run(ROOT)));
    } catch (e) {
      failed = true;
      console.error(`bench: ${group.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  console.log(formatTable(rows));
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
