/**
 * Fault test: a process saving the vault over and over (tests/helpers/vault_save_loop.ts) is
 * killed with SIGKILL, and the vault left behind must be the old or the new one, openable, with
 * consistent documents. The kill moments do not depend on the machine's speed: the child
 * reports each save as it starts and ends, and in some runs stops at a chosen point inside a
 * save (temp file created, temp file synced, temp file renamed) and waits to be killed there;
 * in the other runs the parent kills at a random moment after a save started. The assertions
 * are about the data only: what the vault holds given the last report the child made.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createVault, openVault, vaultPath } from "../../vault/vault.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const PASS = "sigkill test passphrase";
const LOOP = fileURLToPath(new URL("../helpers/vault_save_loop.ts", import.meta.url));
/** Points inside a save where a child can wait to be killed, and the vault each must leave. */
const POINTS = { created: "old", synced: "old", renamed: "new" } as const;
const RANDOM_RUNS = 24;

/** Calls `onLine` for each line of `stream` until it ends. */
async function lines(stream: ReadableStream<Uint8Array>, onLine: (l: string) => void) {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
}

/** What a child reported before it was killed. */
interface Reports {
  ready: number;
  saving: number;
  saved: number;
  paused?: { point: string; n: number };
}

/**
 * Runs one child from vault state `start` and kills it when `killWhen` says so (called after
 * each line). Returns what the child reported by then.
 */
async function killedChild(
  home: string,
  start: number,
  args: string[],
  killWhen: (r: Reports) => boolean | Promise<boolean>,
): Promise<Reports> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=test", LOOP, home, PASS, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const r: Reports = { ready: -1, saving: -1, saved: -1 };
  let kill: () => void = () => {};
  const killNow = new Promise<void>((resolve) => (kill = resolve));
  const reading = lines(child.stdout, async (l) => {
    const [word, a, b] = l.split(" ");
    if (word === "ready") {
      assert.equal(Number(a), start, "the child starts from the last vault state");
      r.ready = r.saving = r.saved = Number(a);
    } else if (word === "saving") r.saving = Number(a);
    else if (word === "saved") r.saved = Number(a);
    else if (word === "paused") r.paused = { point: a!, n: Number(b) };
    if (await killWhen(r)) kill();
  });
  const stderr = new Response(child.stderr).text();
  await Promise.race([killNow, child.status]);
  child.kill("SIGKILL");
  const status = await child.status;
  await reading;
  assert.equal(status.signal, "SIGKILL", await stderr);
  return r;
}

/** Opens the vault and checks its documents are one consistent save; returns its counter. */
async function vaultCounter(home: string): Promise<number> {
  const vault = await openVault(home, new TextEncoder().encode(PASS));
  const n = Number(vault.docs.user.notes ?? "0");
  assert.equal(vault.docs.stewards.stewards.length, n % 7, `vault ${n} is one whole save`);
  return n;
}

function temps(home: string): string[] {
  return [...Deno.readDirSync(home)].map((e) => e.name).filter((x) =>
    x !== "vault.luks" && x !== "vault.lock"
  );
}

Deno.test({
  name: "vault: saves killed with SIGKILL inside a save and at random moments leave the old or " +
    "the new vault",
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "paradux-sigkill-" });
    try {
      await createVault(home, new TextEncoder().encode(PASS), {
        secrets: await newVaultSecrets(2),
        pbkdf: TEST_ARGON2ID,
      });
      let n = 0;
      // killed at each point inside a save: the first save of a child and a later one
      for (const [point, leaves] of Object.entries(POINTS)) {
        for (const k of [1, 2]) {
          const r = await killedChild(home, n, [`${point}:${k}`], (r) => r.paused !== undefined);
          assert.deepEqual(r.paused, { point, n: n + k }, `paused at ${point} in save ${k}`);
          const got = await vaultCounter(home);
          const want = leaves === "old" ? n + k - 1 : n + k;
          assert.equal(got, want, `killed at ${point} of save ${n + k}: the ${leaves} vault`);
          if (leaves === "old") assert.equal(temps(home).length, 1, `${point}: ${temps(home)}`);
          n = got;
        }
      }
      // killed at random moments after a save started
      const outcomes: string[] = [];
      for (let run = 0; run < RANDOM_RUNS; run++) {
        const afterSave = n + 1 + Math.floor(Math.random() * 3);
        const delay = Math.random() < 0.25 ? 0 : Math.random() * 30;
        const r = await killedChild(home, n, [], async (r) => {
          if (r.saving < afterSave) return false;
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          return true;
        });
        const got = await vaultCounter(home);
        // every save before the last one started has finished; the last one may or may not
        if (r.saved === r.saving) assert.equal(got, r.saved, `run ${run}`);
        else {
          assert.ok(
            got === r.saving || got === r.saving - 1,
            `run ${run}: vault has ${got}, the child was saving ${r.saving}`,
          );
        }
        outcomes.push(got === r.saved ? "old" : "new");
        n = got;
      }
      assert.ok(temps(home).length <= 1, `at most the last run's temp file: ${temps(home)}`);
      assert.ok((await Deno.stat(vaultPath(home))).isFile);
      console.log(`random kills left: ${outcomes.join(" ")}`);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
