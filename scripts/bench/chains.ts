/**
 * Snapshot chains (issue 15): what an offsite run sends and stores once only a little changed,
 * for the chained destinations `s3` (npm s3rver over TLS), `ftp` (python3-pyftpdlib) and
 * `file` with `encrypt: true`, each against restic, the tool a user would pick instead.
 *
 * The tree is 1 GiB of random (incompressible) data in 10,000 files of ~105 KiB. Paradux runs
 * as the timers do: `paradux backup --job FILE --location NAME` through `deno run -P=paradux`,
 * so a run is the pull (rsync, source -> local copy) plus the push, plus Deno's start-up. The
 * reference is `restic backup SRC` to a repository on the same server where restic has a
 * backend for it (s3rver for `s3`) and on local disk otherwise (`ftp`, encrypted `file`).
 *
 * Rows (ratio = paradux / reference, lower is better):
 * - bytes sent / bytes changed, when one file of 1 MiB changed (sent = what the destination's
 *   store grew by; the goal is <= 1.5);
 * - wall time of that second run against restic's second run (goal <= 1.0);
 * - bytes stored after ten runs with 1% of the files rewritten before each, against restic's
 *   repository size after the same ten runs (goal <= 1.3);
 * - peak RSS of an `s3` full push of 1 GiB against the same push of 100 MiB (goal <= 1.1).
 *
 * Needs restic, rclone, rsync, tar, GNU time and python3-pyftpdlib (scripts/install-deps.sh);
 * about 8 GiB of free disk in the temp dir.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, peakRssKiB, run } from "./harness.ts";
import { generateDataKey } from "../../crypto/age_x25519.ts";
import { startS3rver } from "../../tests/helpers/servers/s3rver.ts";
import { startFtp } from "../../tests/helpers/servers/ftp.ts";

const MIB = 1024 * 1024;
const FILES = 10_000;
const PER_DIR = 100;
const BUCKET = "paradux-bench";
const RESTIC_PASSWORD = "bench-only-password";

/** Bytes of file `i` in a tree of `total` bytes: equal shares. */
function fileBytes(total: number): number {
  return Math.floor(total / FILES);
}

function filePath(dir: string, i: number): string {
  return join(dir, `dir ${Math.floor(i / PER_DIR)}`, `file ${i % PER_DIR}.bin`);
}

/** Writes 10,000 files of random bytes adding up to `total` under `dir`. */
async function makeTree(dir: string, total: number): Promise<void> {
  const n = fileBytes(total);
  const buf = new Uint8Array(n);
  for (let i = 0; i < FILES; i++) {
    if (i % PER_DIR === 0) await Deno.mkdir(join(dir, `dir ${i / PER_DIR}`), { recursive: true });
    for (let off = 0; off < n; off += 65536) {
      crypto.getRandomValues(buf.subarray(off, Math.min(n, off + 65536)));
    }
    await Deno.writeFile(filePath(dir, i), buf);
  }
}

/** Rewrites file `i` with `bytes` new random bytes; returns the bytes written. */
async function rewrite(dir: string, i: number, bytes: number): Promise<number> {
  const buf = new Uint8Array(bytes);
  for (let off = 0; off < bytes; off += 65536) {
    crypto.getRandomValues(buf.subarray(off, Math.min(bytes, off + 65536)));
  }
  await Deno.writeFile(filePath(dir, i), buf);
  return bytes;
}

/** Bytes a directory tree takes on disk (`du -sb` counts apparent sizes of every file). */
async function storedBytes(dir: string): Promise<number> {
  const out = await new Deno.Command("du", { args: ["-sb", dir], stdout: "piped" }).output();
  if (!out.success) throw new Error(`du -sb ${dir} failed`);
  return Number(new TextDecoder().decode(out.stdout).split("\t")[0]);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** One chained destination under test, with where its bytes land and its restic peer. */
interface Target {
  /** Destination name in the job. */
  name: string;
  /** The job's destination entry. */
  destination: Record<string, unknown>;
  /** The directory on disk that holds what the server stored. */
  store: string;
  /** restic's `-r` for the reference, and its extra global flags. */
  restic: { repo: string; flags: string[]; env: Record<string, string> };
  /** What the reference is, in the table. */
  referenceName: string;
}

/** A Paradux home, a job file and the command that runs one destination of it. */
function paraduxRunner(
  root: string,
  work: string,
  src: string,
  targets: Target[],
  recipient: string,
) {
  const home = join(work, "home");
  const jobFile = join(work, "job.json");
  const job = {
    format: "paradux-job-v1",
    dataset: {
      name: "bench",
      source: { url: `file://${src}` },
      localCopy: join(work, "copy"),
      destinations: targets.map((t) => t.destination),
    },
    encryption: { recipient, keyGeneration: 1 },
  };
  const args = (location: string) => [
    "run",
    "-q",
    "-P=paradux",
    "--config",
    join(root, "deno.json"),
    join(root, "main.ts"),
    "--vault",
    home,
    "backup",
    "--job",
    jobFile,
    "--location",
    location,
  ];
  return {
    write: () => Deno.writeTextFile(jobFile, JSON.stringify(job), { mode: 0o600 }),
    backup: (location: string) => run(Deno.execPath(), args(location)),
    rss: (location: string) => peakRssKiB(Deno.execPath(), args(location)),
  };
}

function resticRunner(t: Target, src: string) {
  const env = { RESTIC_PASSWORD, ...t.restic.env };
  const restic = (args: string[]) =>
    run("restic", ["-r", t.restic.repo, ...t.restic.flags, "-q", ...args], { env });
  return {
    init: () => restic(["init"]),
    backup: () => restic(["backup", "--host", "bench", src]),
  };
}

/** The whole group: see the module doc. */
export async function benchChains(root: string): Promise<BenchRow[]> {
  const work = await Deno.makeTempDir({ prefix: "paradux-bench-chains-" });
  await Deno.chmod(work, 0o700);
  const s3 = await startS3rver([BUCKET]);
  const ftp = await startFtp();
  try {
    const key = await generateDataKey();
    const src = join(work, "src");
    console.error("bench: chains: writing 1 GiB in 10,000 files ...");
    await makeTree(src, 1024 * MIB);
    const targets = chainTargets(work, s3, ftp);
    const paradux = paraduxRunner(root, work, src, targets, key.recipient);
    await paradux.write();
    const rows: BenchRow[] = [];
    const restics = targets.map((t) => resticRunner(t, src));
    for (const [i, t] of targets.entries()) {
      console.error(`bench: chains: first runs, ${t.name} and restic ...`);
      await paradux.backup(t.name);
      await restics[i]!.init();
      await restics[i]!.backup();
    }
    // Second runs: one file of 1 MiB changed before each pair; three pairs, medians.
    const sent: number[][] = targets.map(() => []);
    const ms: number[][] = targets.map(() => []);
    const refMs: number[][] = targets.map(() => []);
    let changed = 0;
    for (let round = 0; round < 3; round++) {
      changed = await rewrite(src, 17 + round, MIB);
      for (const [i, t] of targets.entries()) {
        const before = await storedBytes(t.store);
        ms[i]!.push(await timed(() => paradux.backup(t.name)));
        sent[i]!.push((await storedBytes(t.store)) - before);
        refMs[i]!.push(await timed(() => restics[i]!.backup()));
      }
    }
    for (const [i, t] of targets.entries()) {
      rows.push({
        name: `${t.name}: bytes sent, 1 file of 1 MiB changed`,
        paradux: median(sent[i]!) / MIB,
        reference: changed / MIB,
        referenceName: "the bytes changed",
        unit: "MiB",
        note: "goal <= 1.5",
      }, {
        name: `${t.name}: second run, 1 file changed (1 GiB, 10,000 files)`,
        paradux: median(ms[i]!),
        reference: median(refMs[i]!),
        referenceName: t.referenceName,
        unit: "ms",
        note: "paradux: pull + increment + start-up; goal <= 1.0",
      });
    }
    // Ten runs with 1% of the files (100 x ~105 KiB) rewritten before each.
    console.error("bench: chains: ten runs with 1% changed ...");
    const per = fileBytes(1024 * MIB);
    for (let r = 0; r < 10; r++) {
      for (let f = 0; f < FILES / 100; f++) await rewrite(src, (r * 997 + f * 101) % FILES, per);
      for (const [i, t] of targets.entries()) {
        await paradux.backup(t.name);
        await restics[i]!.backup();
      }
    }
    for (const t of targets) {
      rows.push({
        name: `${t.name}: stored after 1+3+10 runs (1% changed per run)`,
        paradux: (await storedBytes(t.store)) / MIB,
        reference: (await storedBytes(resticStore(t))) / MIB,
        referenceName: "restic repository size",
        unit: "MiB",
        note: "goal <= 1.3",
      });
    }
    rows.push(await rssRow(root, work, s3, ftp, key.recipient));
    return rows;
  } finally {
    await s3.stop().catch(() => {});
    await ftp.stop().catch(() => {});
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

type S3 = Awaited<ReturnType<typeof startS3rver>>;
type Ftp = Awaited<ReturnType<typeof startFtp>>;

/** The restic repository directory on disk of a target. */
function resticStore(t: Target): string {
  return t.restic.env["BENCH_STORE"] ?? t.restic.repo;
}

/** s3, ftp and encrypted file, each with its restic peer. */
function chainTargets(work: string, s3: S3, ftp: Ftp): Target[] {
  const s3Env = {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    BENCH_STORE: join(s3.dir, "data", BUCKET, "restic"),
  };
  return [
    {
      name: "s3",
      destination: {
        name: "s3",
        url: `s3://${BUCKET}/paradux`,
        frequency: "daily",
        credentials: {
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
          endpoint: s3.endpoint,
          caCert: s3.caCert,
        },
      },
      store: join(s3.dir, "data", BUCKET, "paradux"),
      restic: {
        repo: `s3:${s3.endpoint}/${BUCKET}/restic`,
        flags: ["--cacert", s3.caCertFile],
        env: s3Env,
      },
      referenceName: "restic backup to s3rver (2nd run)",
    },
    {
      name: "ftp",
      destination: {
        name: "ftp",
        url: `ftp://${ftp.user}@127.0.0.1:${ftp.port}/paradux`,
        frequency: "daily",
        credentials: { password: ftp.password },
      },
      store: join(ftp.root, "paradux"),
      restic: { repo: join(work, "restic-ftp"), flags: [], env: {} },
      referenceName: "restic backup to local disk (2nd run)",
    },
    {
      name: "encrypted-file",
      destination: {
        name: "encrypted-file",
        url: `file://${join(work, "enc")}`,
        frequency: "daily",
        encrypt: true,
      },
      store: join(work, "enc"),
      restic: { repo: join(work, "restic-enc"), flags: [], env: {} },
      referenceName: "restic backup to local disk (2nd run)",
    },
  ];
}

/** Peak RSS of an `s3` full push of 1 GiB against one of 100 MiB (same files, smaller). */
async function rssRow(
  root: string,
  work: string,
  s3: S3,
  ftp: Ftp,
  recipient: string,
): Promise<BenchRow> {
  const rss: number[] = [];
  for (const total of [100 * MIB, 1024 * MIB]) {
    const dir = join(work, `rss-${total}`);
    await Deno.mkdir(dir);
    const src = join(dir, "src");
    await makeTree(src, total);
    const targets = chainTargets(dir, s3, ftp).filter((t) => t.name === "s3");
    (targets[0]!.destination as { url: string }).url = `s3://${BUCKET}/rss-${total}`;
    const paradux = paraduxRunner(root, dir, src, targets, recipient);
    await paradux.write();
    rss.push(await paradux.rss("s3"));
    await Deno.remove(dir, { recursive: true });
  }
  return {
    name: "s3 full push peak RSS, 1 GiB vs 100 MiB",
    paradux: rss[1]! / 1024,
    reference: rss[0]! / 1024,
    referenceName: "the same push of 100 MiB",
    unit: "MiB",
    note: "whole backup --job process tree; goal <= 1.1",
  };
}

if (import.meta.main) {
  const { formatTable } = await import("./harness.ts");
  const root = new URL("../..", import.meta.url).pathname;
  console.log(formatTable(await benchChains(root)));
}
