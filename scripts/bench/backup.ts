/**
 * `paradux backup` against plain `rsync -a` on the same 10,000-file tree (100 directories of
 * 100 files, 1-4 KiB each): a first run (empty local copy and destination) and a no-change run.
 *
 * Paradux runs as the timers do (`backup --job FILE`, so no vault KDF is timed) with one `file`
 * destination, through `deno run -P=paradux`. Its work is two rsync passes (source -> local
 * copy, local copy -> a dated `--link-dest` snapshot), the state file and Deno's start-up; the
 * reference is one `rsync -a SRC/ DEST/`. A no-change backup still makes a new snapshot: 10,000
 * hard links to the previous one, so the fair reference for it is `rsync -a --link-dest=PREV`
 * into a new directory (what a user would run instead for the same snapshot). Paradux passes
 * `--insecure-links` when the destination root is private (system/trusted_path.ts), so a last
 * row compares it with that reference run the same way too.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, run } from "./harness.ts";
import { rsyncHasInsecureLinks } from "../../system/trusted_path.ts";

const DIRS = 100;
const FILES_PER_DIR = 100;

async function makeTree(dir: string): Promise<void> {
  const buf = new Uint8Array(4096);
  crypto.getRandomValues(buf);
  for (let d = 0; d < DIRS; d++) {
    const sub = join(dir, `dir ${d}`);
    await Deno.mkdir(sub, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) {
      const n = 1024 + ((d * FILES_PER_DIR + f) * 37) % 3072;
      buf[0] = f;
      await Deno.writeFile(join(sub, `file ${f}.txt`), buf.subarray(0, n));
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Measures `paradux backup` (first and no-change run) against `rsync -a`. */
export async function benchBackup(root: string): Promise<BenchRow[]> {
  const work = await Deno.makeTempDir({ prefix: "paradux-bench-backup-" });
  try {
    const src = join(work, "src");
    await makeTree(src);
    const deno = Deno.execPath();
    const recipient = "age1" + "q".repeat(58); // never used: the destination is not encrypted
    const paradux = async (runDir: string) => {
      const job = join(runDir, "job.json");
      await run(deno, [
        "run",
        "-q",
        "-P=paradux",
        "--config",
        join(root, "deno.json"),
        join(root, "main.ts"),
        "--vault",
        join(runDir, "home"),
        "backup",
        "--job",
        job,
        "--location",
        "dest",
      ]);
    };
    const prepare = async (i: number) => {
      const runDir = join(work, `run-${i}`);
      await Deno.mkdir(runDir);
      const job = {
        format: "paradux-job-v1",
        dataset: {
          name: "bench",
          source: { url: `file://${src}` },
          localCopy: join(runDir, "copy"),
          destinations: [{ name: "dest", url: `file://${runDir}/dest`, frequency: "daily" }],
        },
        encryption: { recipient, keyGeneration: 1 },
      };
      await Deno.writeTextFile(join(runDir, "job.json"), JSON.stringify(job));
      return runDir;
    };
    const rsync = (dest: string) => run("rsync", ["-a", `${src}/`, `${dest}/`]);

    const first: number[] = [];
    const firstRef: number[] = [];
    const again: number[] = [];
    const againRef: number[] = [];
    const linkRef: number[] = [];
    const linkFastRef: number[] = [];
    const insecureLinks = await rsyncHasInsecureLinks();
    for (let i = 0; i < 3; i++) {
      const runDir = await prepare(i);
      first.push(await timed(() => paradux(runDir)));
      again.push(await timed(() => paradux(runDir)));
      const ref = join(work, `ref-${i}`);
      firstRef.push(await timed(() => rsync(ref)));
      againRef.push(await timed(() => rsync(ref)));
      // the same snapshot paradux makes: a new dated tree of hard links to the previous one
      const snap = join(work, `ref-${i}-snap`);
      linkRef.push(
        await timed(() => run("rsync", ["-a", `--link-dest=${ref}`, `${src}/`, `${snap}/`])),
      );
      await Deno.remove(snap, { recursive: true });
      // the same with rsync's per-file symlink-safe path walk off, as paradux runs it for a
      // private destination root (protocols/rsync_store.ts); only where rsync has the option
      if (insecureLinks) {
        linkFastRef.push(
          await timed(() =>
            run("rsync", ["-a", "--insecure-links", `--link-dest=${ref}`, `${src}/`, `${snap}/`])
          ),
        );
        await Deno.remove(snap, { recursive: true });
      }
      await Deno.remove(runDir, { recursive: true });
      await Deno.remove(ref, { recursive: true });
    }
    const files = DIRS * FILES_PER_DIR;
    return [
      {
        name: `paradux backup, first run (${files} files)`,
        paradux: median(first),
        reference: median(firstRef),
        referenceName: "rsync -a",
        unit: "ms",
        note: "pull + snapshot push: two rsync passes",
      },
      {
        name: `paradux backup, no change (${files} files)`,
        paradux: median(again),
        reference: median(againRef),
        referenceName: "rsync -a",
        unit: "ms",
        note: "new snapshot of hard links",
      },
      {
        name: `paradux backup, no change (${files} files), fair reference`,
        paradux: median(again),
        reference: median(linkRef),
        referenceName: "rsync -a --link-dest (same snapshot)",
        unit: "ms",
        note: "paradux adds the pull pass and start-up; goal <= 1.5",
      },
      ...(linkFastRef.length === 0 ? [] : [{
        name: `paradux backup, no change (${files} files), reference without safe walk`,
        paradux: median(again),
        reference: median(linkFastRef),
        referenceName: "rsync -a --insecure-links --link-dest",
        unit: "ms",
        note: "as paradux runs rsync for a private (0700) destination root",
      }]),
    ];
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) {
  const { formatTable } = await import("./harness.ts");
  const root = new URL("../..", import.meta.url).pathname;
  console.log(formatTable(await benchBackup(root)));
}
