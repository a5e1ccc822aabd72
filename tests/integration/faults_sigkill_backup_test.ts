/**
 * Fault test: `paradux backup --job FILE` (what the timers run) killed with SIGKILL at random
 * moments, pushing a 40 MiB tree to a `file://` destination and to an encrypted one. The kill
 * moments follow the run's own events (the local copy, the partial snapshot, the renamed
 * snapshot, an encrypted part appearing), each plus a random delay, so they land in every phase
 * however fast the machine is (tests/helpers/kill_at.ts). After every
 * kill each directory at the plain destination that looks like a snapshot (`YYYYMMDDTHHMMSSZ`)
 * is a complete copy of the source — an interrupted push is only ever a `.ID.partial`
 * directory — and every snapshot the encrypted destination lists restores to the source; the
 * dataset lock of the killed run does not block the next run. The next run succeeds, makes
 * complete snapshots and removes the leftover partial snapshots.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { diffTrees } from "../helpers/tree.ts";
import { atStart, killAt, newEntry, newFileUnder, type Probe } from "../helpers/kill_at.ts";
import { ROOT } from "../e2e/cli.ts";
import { generateDataKey } from "../../crypto/age_x25519.ts";
import { protocolFor } from "../../protocols/lookup.ts";
import { restoreEncrypted } from "../../datasets/encrypted.ts";
import { listSnapshots } from "../../datasets/backup.ts";
import type { Dataset } from "../../vault/documents.ts";

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

/** Restores every listed encrypted snapshot not checked before and compares it with `src`. */
async function checkSealed(
  dataset: Dataset,
  identity: string,
  src: string,
  checked: Set<string>,
  label: string,
): Promise<number> {
  const sealed = dataset.destinations[1]!;
  const listed = await listSnapshots(dataset, sealed);
  for (const { id } of listed) {
    if (checked.has(id)) continue;
    const dir = await Deno.makeTempDir({ prefix: "paradux-sigkill-restore-" });
    try {
      await restoreEncrypted(
        { url: sealed.url },
        protocolFor(sealed.url),
        [identity],
        join(dir, "out"),
        { privateDir: dir, now: new Date() },
        id,
      );
      assert.deepEqual(await diffTrees(src, join(dir, "out")), [], `${label}: sealed ${id}`);
      checked.add(id);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return listed.length;
}

Deno.test("faults: backup killed with SIGKILL never leaves a snapshot that looks complete but is not", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-sigkill-backup-" });
  try {
    const src = join(work, "src");
    const dest = join(work, "dest");
    const home = join(work, "home");
    await makeSource(src);
    const job = join(work, "job.json");
    const key = await generateDataKey();
    const dataset: Dataset = {
      name: "photos",
      source: { url: `file://${src}` },
      localCopy: join(work, "copy"),
      destinations: [
        { name: "usb", url: `file://${dest}`, frequency: "daily" },
        { name: "cloud", url: `file://${join(work, "sealed")}`, frequency: "daily", encrypt: true },
      ],
    };
    await Deno.writeTextFile(
      job,
      JSON.stringify({
        format: "paradux-job-v1",
        dataset,
        encryption: { recipient: key.recipient, keyGeneration: 1 },
      }),
    );
    const sealedChecked = new Set<string>();

    // one whole run (then start from nothing again)
    const first = await cli(home, job).output();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    await checkSnapshots(src, dest, "first run");
    assert.equal(await checkSealed(dataset, key.identity, src, sealedChecked, "first run"), 1);
    for (const d of [dest, join(work, "copy"), join(work, "sealed")]) {
      await Deno.remove(d, { recursive: true });
    }
    sealedChecked.clear();

    /** Where to kill: an event of the run (probe made just before the child starts), + delay. */
    const moments: [string, () => Probe, number][] = [
      ["start", () => atStart, 300],
      ["local copy", () => newFileUnder(join(work, "copy")), 50],
      ["partial", () => newEntry(dest, /\.partial$/), 100],
      ["snapshot", () => newEntry(dest, SNAPSHOT), 0],
      ["sealed part", () => newFileUnder(join(work, "sealed")), 50],
      ["sealed part", () => newFileUnder(join(work, "sealed")), 300],
    ];
    const seen: string[] = [];
    for (const [run, [what, makeProbe, extraMs]] of moments.entries()) {
      const probe = makeProbe();
      const child = cli(home, job);
      const hit = await killAt(child, probe, extraMs);
      const status = await child.output();
      const label = `run ${run} (${what}${hit ? "" : ", not reached"})`;
      const names = await checkSnapshots(src, dest, label);
      const sealed = await checkSealed(dataset, key.identity, src, sealedChecked, label);
      seen.push(
        `${what}:${hit}:${status.signal ?? status.code}:${names.join(",")}:sealed ${sealed}`,
      );
    }

    // the next run is not blocked by a stale lock, completes, and clears the partial snapshots
    const last = await cli(home, job).output();
    const stderr = new TextDecoder().decode(last.stderr);
    assert.equal(last.code, 0, stderr);
    const names = await checkSnapshots(src, dest, "after recovery");
    assert.ok(names.some((n) => SNAPSHOT.test(n)));
    assert.deepEqual(names.filter((n) => n.endsWith(".partial")), [], `${names}`);
    assert.ok(await checkSealed(dataset, key.identity, src, sealedChecked, "after recovery") > 0);
    console.log(`kills: ${seen.join(" ")}`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
