/**
 * A tiny benchmark harness: every measurement is a ratio against a reference run right beside
 * it in the same process and moment, so the numbers mean something on any machine.
 * @module
 */

/** One row of the benchmark table. */
export interface BenchRow {
  /** What was measured. */
  name: string;
  /** Paradux's median time (ms) or value. */
  paradux: number;
  /** The reference's median time (ms) or value. */
  reference: number;
  /** What the reference is. */
  referenceName: string;
  /** Unit of the two numbers. */
  unit: string;
  /** Extra note (throughput, sizes). */
  note?: string;
}

/** Median wall-clock milliseconds of `runs` calls of `fn` (after `warmup` unmeasured calls). */
export async function medianMs(
  fn: () => Promise<unknown>,
  runs = 5,
  warmup = 1,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Runs a program to completion; throws when it fails. */
export async function run(
  program: string,
  args: string[],
  opts: Deno.CommandOptions = {},
): Promise<void> {
  const out = await new Deno.Command(program, { args, stdout: "null", stderr: "piped", ...opts })
    .output();
  if (!out.success) {
    throw new Error(`${program} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Peak resident memory (KiB) of a command, from GNU time's `%M` (Debian package `time`). Deno
 * refuses to read /proc/PID/status without --allow-all, so polling /proc reads nothing under
 * the `test` permission set.
 */
export async function peakRssKiB(
  program: string,
  args: string[],
  opts: Deno.CommandOptions = {},
): Promise<number> {
  const out = await Deno.makeTempFile({ prefix: "paradux-bench-rss-" });
  try {
    await run("/usr/bin/time", ["-f", "%M", "-o", out, program, ...args], opts);
    const kib = Number((await Deno.readTextFile(out)).trim().split("\n").at(-1));
    if (!Number.isFinite(kib) || kib <= 0) throw new Error("GNU time reported no peak RSS");
    return kib;
  } finally {
    await Deno.remove(out);
  }
}

/** Formats the table as aligned text. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ["benchmark", "paradux", "reference", "ratio", "reference is", "note"];
  const body = rows.map((r) => [
    r.name,
    `${r.paradux.toFixed(1)} ${r.unit}`,
    `${r.reference.toFixed(1)} ${r.unit}`,
    Number.isFinite(r.paradux / r.reference) ? (r.paradux / r.reference).toFixed(2) : "-",
    r.referenceName,
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
