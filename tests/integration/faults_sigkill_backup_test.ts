/**
 * Fault test: `paradux backup --job FILE` (what the timers run) killed with SIGKILL at random
 * moments, pushing a 40 MiB tree to a `file://` destination. After every kill each directory at
 * the destination that looks like a snapshot (`YYYYMMDDTHHMMSSZ`) is a complete copy of the
 * source — an interrupted push is only ever a `.ID.partial` directory — and the dataset lock of
 * the killed run does not block the next run. The next run succeeds, makes a complete snapshot
 * and removes the leftover partial snapshots.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { diffTrees } from "../helpers/tree.ts";
import { ROOT } from "../e2e/cli.ts";

const RUNS = 6;
const SNAPSHOT = /^\d{8}T\d{6}Z(-\d+)?$/;

function cli(home: string, job: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=paradux", "--config", join(ROOT, "deno.json"), join(ROOT, "main.ts")]
      .concat(["--vault", home, "backup", "--job", job, "--force"]),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

async function makeSource(dir: string): Promise<void> {
  const chunk = new Uint8Array(1 << 20);
  for (let d = 0; d < 4; d++) {
    await Deno.mkdir(join(dir, `dir ${d}`), { recursive: true });
    for (let f = 0; f < 10; f++) {
      for (let off = 0; off < chunk.length; off += 65536) {
        crypto.getRandomValues(chunk.subarray(off, off + 65536));
      }
      await Deno.writeFile(join(dir, `dir ${d}`, `file ${f}.bin`), chunk);
    }
  }
}

async function checkSnapshots(src: string, dest: string, label: string): Promise<string[]> {
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(dest)].map((e) => e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for (const name of names.filter((n) => SNAPSHOT.test(n))) {
    assert.deepEqual(await diffTrees(src, join(dest, name)), [], `${label}: ${name} is incomplete`);
  }
  for (const name of names.filter((n) => !SNAPSHOT.test(n))) {
    assert.match(name, /^\.\d{8}T\d{6}Z(-\d+)?\.partial$/, `${label}: unexpected ${name}`);
  }
  return names;
}

Deno.test("faults: backup killed with SIGKILL never leaves a snapshot that looks complete but is not", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-sigkill-backup-" });
  try {
    const src = join(work, "src");
    const dest = join(work, "dest");
    const home = join(work, "home");
    await makeSource(src);
    const job = join(work, "job.json");
    await Deno.writeTextFile(
      job,
      JSON.stringify({
        format: "paradux-job-v1",
        dataset: {
          name: "photos",
          source: { url: `file://${src}` },
          localCopy: join(work, "copy"),
          destinations: [{ name: "usb", url: `file://${dest}`, frequency: "daily" }],
        },
        encryption: { recipient: "age1" + "q".repeat(58), keyGeneration: 1 },
      }),
    );

    // one full run to learn how long it takes (then start from nothing again)
    const t0 = performance.now();
    const first = await cli(home, job).output();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    const full = performance.now() - t0;
    await checkSnapshots(src, dest, "first run");
    for (const d of [dest, join(work, "copy")]) await Deno.remove(d, { recursive: true });

    const seen: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const child = cli(home, job);
      const at = (0.3 + 0.6 * (run + Math.random()) / RUNS) * full;
      await new Promise((r) => setTimeout(r, at));
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      const status = await child.output();
      const names = await checkSnapshots(src, dest, `run ${run} (${at.toFixed(0)} ms)`);
      seen.push(`${at.toFixed(0)}ms:${status.signal ?? status.code}:${names.join(",")}`);
    }

    // the next run is not blocked by a stale lock, completes, and clears the partial snapshots
    const last = await cli(home, job).output();
    const stderr = new TextDecoder().decode(last.stderr);
    assert.equal(last.code, 0, stderr);
    const names = await checkSnapshots(src, dest, "after recovery");
    assert.ok(names.some((n) => SNAPSHOT.test(n)));
    assert.deepEqual(names.filter((n) => n.endsWith(".partial")), [], `${names}`);
    console.log(`full run ${full.toFixed(0)} ms; kills: ${seen.join(" ")}`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
