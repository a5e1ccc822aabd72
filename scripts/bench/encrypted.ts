/**
 * Encrypted pushes (datasets/encrypted.ts over the `file` protocol): peak RSS of a child process
 * pushing 100 MiB and 1 GiB (their ratio should be near 1: memory must not grow with the
 * dataset), and the 1 GiB push's time against `tar -cz | age -r RECIPIENT` of the same tree.
 * The tree mixes incompressible (random) and compressible (text) files of 8 MiB.
 *
 * Run as a script with `--child SRC DEST RECIPIENT` it performs one push (the measured child).
 * @module
 */
import { join } from "node:path";
import { type BenchRow, run } from "./harness.ts";
import { generateDataKey } from "../../crypto/age_x25519.ts";
import { pushEncrypted } from "../../datasets/encrypted.ts";
import { protocol as fileProtocol } from "../../protocols/file.ts";

const MIB = 1024 * 1024;
const FILE_BYTES = 8 * MIB;

/** Writes `bytes` of test data under `dir`: alternating random and text files of 8 MiB. */
async function makeTree(dir: string, bytes: number): Promise<void> {
  await Deno.mkdir(join(dir, "sub dir"), { recursive: true });
  const random = new Uint8Array(FILE_BYTES);
  const line = new TextEncoder().encode(
    "2026-11-24T09:45:00Z INFO paradux bench: a fairly ordinary log line with some words\n",
  );
  const text = new Uint8Array(FILE_BYTES);
  for (let off = 0; off < FILE_BYTES; off += line.length) {
    text.set(line.subarray(0, FILE_BYTES - off), off);
  }
  for (let i = 0; i * FILE_BYTES < bytes; i++) {
    let data = text;
    if (i % 2 === 0) {
      for (let off = 0; off < FILE_BYTES; off += 65536) {
        crypto.getRandomValues(random.subarray(off, off + 65536));
      }
      data = random;
    }
    await Deno.writeFile(join(dir, i % 4 === 0 ? "sub dir" : "", `file ${i}.bin`), data);
  }
}

interface Measured {
  ms: number;
  rssKiB: number;
}

/**
 * Runs a program under GNU time (Debian `time`) and returns its peak RSS in KiB. (Deno refuses
 * to read /proc/PID/status without --allow-all, so /proc polling reads nothing under -P=test.)
 */
async function peakRssOf(program: string, args: string[]): Promise<number> {
  const out = await Deno.makeTempFile({ prefix: "paradux-bench-rss-" });
  try {
    await run("/usr/bin/time", ["-f", "%M", "-o", out, program, ...args]);
    const kib = Number((await Deno.readTextFile(out)).trim().split("\n").at(-1));
    if (!Number.isFinite(kib) || kib <= 0) throw new Error("GNU time reported no peak RSS");
    return kib;
  } finally {
    await Deno.remove(out);
  }
}

/** One push in a child process: wall time and peak RSS. */
async function childPush(root: string, src: string, dest: string, recipient: string) {
  const t0 = performance.now();
  const rssKiB = await peakRssOf(Deno.execPath(), [
    "run",
    "-q",
    "-P=test",
    "--config",
    join(root, "deno.json"),
    join(root, "scripts/bench/encrypted.ts"),
    "--child",
    src,
    dest,
    recipient,
  ]);
  const ms = performance.now() - t0;
  let parts = 0;
  for await (const _ of Deno.readDir(dest)) parts++;
  if (parts < 2) throw new Error(`the child push left nothing at ${dest}`);
  return { ms, rssKiB } satisfies Measured;
}

/** `tar -cz | age -r RECIPIENT > file`: wall time. */
async function referencePush(src: string, out: string, recipient: string): Promise<number> {
  const t0 = performance.now();
  await run("sh", ["-c", 'tar -C "$SRC" -cz . | age -r "$R" > "$OUT"'], {
    env: { SRC: src, R: recipient, OUT: out },
  });
  return performance.now() - t0;
}

/** The benchmark group: peak RSS 100 MiB vs 1 GiB, and 1 GiB throughput vs tar | age. */
export async function benchEncrypted(root: string): Promise<BenchRow[]> {
  const key = await generateDataKey();
  const tmp = await Deno.makeTempDir({ prefix: "paradux-bench-enc-" });
  try {
    const sizes = [100 * MIB, 1024 * MIB];
    const results: Measured[] = [];
    for (const size of sizes) {
      const src = join(tmp, `src-${size}`);
      await makeTree(src, size);
      const dest = join(tmp, `dest-${size}`);
      await Deno.mkdir(dest);
      results.push(await childPush(root, src, dest, key.recipient));
      await Deno.remove(dest, { recursive: true });
      if (size !== sizes.at(-1)) await Deno.remove(src, { recursive: true });
    }
    const [small, large] = results as [Measured, Measured];
    const bigSrc = join(tmp, `src-${sizes[1]}`);
    const refMs = await referencePush(bigSrc, join(tmp, "ref.age"), key.recipient);
    const mbps = (ms: number) => (1024 / (ms / 1000)).toFixed(0);
    return [
      {
        name: "encrypted push peak RSS, 1 GiB vs 100 MiB",
        paradux: large.rssKiB / 1024,
        reference: small.rssKiB / 1024,
        referenceName: "the same push of 100 MiB",
        unit: "MiB",
        note: "ratio near 1: memory does not grow with the dataset",
      },
      {
        name: "encrypted push 1 GiB (file protocol)",
        paradux: large.ms,
        reference: refMs,
        referenceName: "tar -cz | age -r RECIPIENT > file",
        unit: "ms",
        note: `paradux ${mbps(large.ms)} MiB/s, tar|age ${mbps(refMs)} MiB/s`,
      },
    ];
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The measured child: one encrypted push of SRC to file://DEST. */
async function child(src: string, dest: string, recipient: string): Promise<void> {
  const privateDir = await Deno.makeTempDir({ prefix: "paradux-bench-priv-" });
  try {
    await pushEncrypted(src, { url: `file://${dest}` }, fileProtocol, [recipient], {
      privateDir,
      now: new Date(),
    }, { keyGeneration: 1 });
  } finally {
    await Deno.remove(privateDir, { recursive: true });
  }
}

if (import.meta.main) {
  const [flag, src, dest, recipient] = Deno.args;
  if (flag !== "--child" || src === undefined || dest === undefined || recipient === undefined) {
    console.error("usage: encrypted.ts --child SRC DEST RECIPIENT (run by scripts/bench.ts)");
    Deno.exit(2);
  }
  await child(src, dest, recipient);
}
