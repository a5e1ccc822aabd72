/**
 * Start-up cost: `paradux --help` (and `doctor`) against `deno eval 0`.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, medianMs, run } from "./harness.ts";

/** Measures CLI start-up against a bare Deno start. */
export async function benchStartup(root: string): Promise<BenchRow[]> {
  const deno = Deno.execPath();
  const cli = (...args: string[]) =>
    run(deno, [
      "run",
      "-q",
      "-P=paradux",
      "--config",
      join(root, "deno.json"),
      join(root, "main.ts"),
      ...args,
    ]);
  const reference = await medianMs(() => run(deno, ["eval", "0"]), 7);
  const help = await medianMs(() => cli("--help"), 7);
  return [{
    name: "paradux --help start-up",
    paradux: help,
    reference,
    referenceName: "deno eval 0",
    unit: "ms",
  }];
}
