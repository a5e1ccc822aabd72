/**
 * Peak memory of the `paradux backup` command itself (as the timers run it: `backup --job FILE`)
 * on a 1 GiB dataset against the same command on 100 MiB: the ratio must stay near 1 (memory
 * does not grow with the data). The dataset has a plain `file` destination (rsync does the
 * copying) and an encrypted one (Paradux streams the data through tar, gzip and age itself).
 * Peak RSS from GNU time (Debian package `time`): the largest of deno and its children.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, peakRssKiB } from "./harness.ts";
import { generateDataKey } from "../../crypto/age_x25519.ts";

const MIB = 1024 * 1024;
const FILE_BYTES = 8 * MIB;

/** Grows the tree under `dir` to `bytes`: alternating random and text files of 8 MiB. */
async function growTree(dir: string, bytes: number): Promise<void> {
  await Deno.mkdir(join(dir, "sub"), { recursive: true });
  const data = new Uint8Array(FILE_BYTES);
  const line = new TextEncoder().encode("2026-11-24 bench: an ordinary log line, some words\n");
  for (let i = 0; i * FILE_BYTES < bytes; i++) {
    const path = join(dir, i % 4 === 0 ? "sub" : "", `file ${i}.bin`);
    try {
      await Deno.lstat(path);
      continue;
    } catch {
      // not made yet
    }
    if (i % 2 === 0) {
      for (let off = 0; off < FILE_BYTES; off += 65536) {
        crypto.getRandomValues(data.subarray(off, off + 65536));
      }
    } else {
      for (let off = 0; off < FILE_BYTES; off += line.length) {
        data.set(line.subarray(0, FILE_BYTES - off), off);
      }
    }
    await Deno.writeFile(path, data);
  }
}

/** One `paradux backup --job` run from scratch: peak RSS (KiB) and wall time (ms). */
async function backupOnce(root: string, work: string, src: string, recipient: string) {
  const run = await Deno.makeTempDir({ dir: work, prefix: "run-" });
  try {
    const job = join(run, "job.json");
    await Deno.writeTextFile(
      job,
      JSON.stringify({
        format: "paradux-job-v1",
        dataset: {
          name: "bench",
          source: { url: `file://${src}` },
          localCopy: join(run, "copy"),
          destinations: [
            { name: "usb", url: `file://${run}/plain`, frequency: "daily" },
            { name: "cloud", url: `file://${run}/sealed`, frequency: "daily", encrypt: true },
          ],
        },
        encryption: { recipient, keyGeneration: 1 },
      }),
    );
    const t0 = performance.now();
    const kib = await peakRssKiB(Deno.execPath(), [
      "run",
      "-q",
      "-P=paradux",
      "--config",
      join(root, "deno.json"),
      join(root, "main.ts"),
      "--vault",
      join(run, "home"),
      "backup",
      "--job",
      job,
    ], { env: { NO_COLOR: "1" } });
    return { kib, ms: performance.now() - t0 };
  } finally {
    await Deno.remove(run, { recursive: true });
  }
}

/** Peak RSS of `paradux backup` on 1 GiB vs 100 MiB. */
export async function benchBackupMemory(root: string): Promise<BenchRow[]> {
  const { recipient } = await generateDataKey();
  const work = await Deno.makeTempDir({ prefix: "paradux-bench-memory-" });
  try {
    const src = join(work, "src");
    await growTree(src, 100 * MIB);
    const small = await backupOnce(root, work, src, recipient);
    await growTree(src, 1024 * MIB);
    const large = await backupOnce(root, work, src, recipient);
    return [{
      name: "paradux backup peak RSS, 1 GiB vs 100 MiB",
      paradux: large.kib / 1024,
      reference: small.kib / 1024,
      referenceName: "the same backup of 100 MiB",
      unit: "MiB",
      note: `backup --job, file + encrypted destination; 1 GiB run ${
        (large.ms / 1000).toFixed(1)
      } s`,
    }];
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
