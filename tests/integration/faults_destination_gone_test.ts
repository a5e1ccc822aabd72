/**
 * Fault test: a destination goes away in the middle of a transfer. A dataset has two
 * destinations, an `rsync+ssh` one on a loopback sshd (tests/helpers/servers/sshd.ts) and a
 * `file` one. While rsync is writing the ssh destination's partial snapshot, the sshd and every
 * session process under it are killed. The backup does not stop: the ssh destination fails with a
 * typed, one-line error (no stack trace), the file destination still gets a complete snapshot,
 * the state file records both outcomes, and nothing at the ssh destination looks like a
 * complete snapshot.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { backupDataset } from "../../datasets/backup.ts";
import type { Dataset } from "../../vault/documents.ts";
import { destinationState, readState } from "../../datasets/state.ts";
import { diffTrees } from "../helpers/tree.ts";
import { startSshd } from "../helpers/servers/sshd.ts";

const SNAPSHOT = /^\d{8}T\d{6}Z(-\d+)?$/;

async function makeSource(dir: string, mib: number): Promise<void> {
  const chunk = new Uint8Array(1 << 20);
  await Deno.mkdir(dir, { recursive: true });
  for (let i = 0; i < mib; i++) {
    for (let off = 0; off < chunk.length; off += 65536) {
      crypto.getRandomValues(chunk.subarray(off, off + 65536));
    }
    await Deno.writeFile(join(dir, `file ${i}.bin`), chunk);
  }
}

/** Pids of the processes under `pid` (children first), by `ps --ppid`. */
async function descendants(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(pid)] })
    .output();
  const kids = new TextDecoder().decode(out.stdout).split("\n").map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  const all: number[] = [];
  for (const k of kids) all.push(...await descendants(k), k);
  return all;
}

function names(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test("faults: an ssh destination going away mid-transfer fails alone; the other destination gets its snapshot", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-dest-gone-" });
  const sshd = await startSshd();
  try {
    const src = join(work, "src");
    await makeSource(src, 96);
    const remote = join(work, "remote");
    const usb = join(work, "usb");
    const dataset: Dataset = {
      name: "photos",
      source: { url: `file://${src}` },
      localCopy: join(work, "copy"),
      destinations: [
        {
          name: "offsite",
          url: `rsync+ssh://${sshd.user}@127.0.0.1:${sshd.port}${remote}`,
          frequency: "daily",
          credentials: { sshKey: sshd.privateKey, hostKey: sshd.hostKeyLine },
        },
        { name: "usb", url: `file://${usb}`, frequency: "daily" },
      ],
    };
    const sshdPid = Number((await Deno.readTextFile(join(sshd.dir, "sshd.pid"))).trim());
    let killed: Promise<number[]> | undefined;
    let watching = false;
    const killWhenWriting = async (): Promise<number[]> => {
      // wait until rsync is writing the partial snapshot, then kill the server side
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (names(remote).some((n) => n.endsWith(".partial"))) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const pids = [...await descendants(sshdPid), sshdPid];
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      return pids;
    };
    const home = join(work, "home");
    const report = await backupDataset(dataset, {
      home,
      onStep: (step, destination) => {
        if (step === "push" && destination === "offsite" && !watching) {
          watching = true;
          killed = killWhenWriting();
        }
      },
    });
    const pids = await killed;
    assert.ok(pids !== undefined && pids.length > 1, "sshd had a session process to kill");

    assert.equal(report.pull.status, "ok");
    const [offsite, local] = report.results;
    assert.equal(offsite?.status, "failed", JSON.stringify(offsite));
    assert.ok(offsite?.error !== undefined && !offsite.error.includes("\n    at "), offsite?.error);
    assert.equal(local?.status, "ok", JSON.stringify(local));

    // the file destination has a complete snapshot; the ssh one has none that looks complete
    const usbSnapshots = names(usb).filter((n) => SNAPSHOT.test(n));
    assert.equal(usbSnapshots.length, 1);
    assert.deepEqual(await diffTrees(src, join(usb, usbSnapshots[0]!)), []);
    assert.deepEqual(names(remote).filter((n) => SNAPSHOT.test(n)), [], `${names(remote)}`);

    // both outcomes are recorded
    const state = await readState(home);
    const offsiteState = destinationState(state, "photos", "offsite");
    assert.equal(offsiteState.lastSuccess, undefined);
    assert.equal(offsiteState.lastError, offsite?.error);
    assert.equal(destinationState(state, "photos", "usb").snapshot, usbSnapshots[0]);
    console.log(`offsite failed with: ${offsite?.error}`);
  } finally {
    await sshd.stop();
    await Deno.remove(work, { recursive: true });
  }
});
