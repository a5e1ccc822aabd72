/**
 * Child process for the SIGKILL test: opens the vault in HOME (argv[0]) with the passphrase
 * (argv[1]) and saves it forever, storing an increasing counter in user.notes. It prints
 * `ready N` (the counter it found), `saving N` before each save and `saved N` after it.
 *
 * With a third argument `POINT:K` it reports the moment the K-th save (counted from 1 in this
 * child) reaches POINT and then waits forever, so the parent can kill it exactly there, however
 * slow the machine is. POINT is one of:
 * - `created`: the temp file beside the vault has just been created (empty);
 * - `synced`: the temp file is written and fsynced, the rename not done yet;
 * - `renamed`: the temp file has replaced the vault, the directory fsync not done yet.
 * The report is `paused POINT N` (N: the counter being saved). Without it the parent kills at
 * random moments. The points are found by wrapping `Deno.open` and `Deno.rename` in this child
 * only; the vault code is the real one.
 * @module
 */
import { openVault, saveVault, withVaultLock } from "../../vault/vault.ts";

const [home, pass, pauseAt] = Deno.args;
if (home === undefined || pass === undefined) throw new Error("usage: HOME PASSPHRASE [POINT:K]");
const [point, nth] = (pauseAt ?? ":").split(":");
const TEMP = /\/\.vault\.luks\.[0-9a-f]+\.tmp$/;
let saving = 0;
let saves = 0;

async function pause(at: string): Promise<void> {
  if (at !== point || saves !== Number(nth)) return;
  console.log(`paused ${at} ${saving}`);
  // wait for the parent's SIGKILL (a pending timer keeps the process alive)
  await new Promise(() => setInterval(() => {}, 1 << 30));
}

const realOpen = Deno.open;
const realRename = Deno.rename;
const realSync = Deno.FsFile.prototype.sync;
Object.assign(Deno, {
  async open(path: string | URL, options?: Deno.OpenOptions): Promise<Deno.FsFile> {
    const file = await realOpen(path, options);
    if (options?.createNew && TEMP.test(String(path))) {
      tempFiles.add(file);
      await pause("created");
    }
    return file;
  },
  async rename(from: string | URL, to: string | URL): Promise<void> {
    await realRename(from, to);
    if (TEMP.test(String(from))) await pause("renamed");
  },
});
const tempFiles = new WeakSet<Deno.FsFile>();
Deno.FsFile.prototype.sync = async function (this: Deno.FsFile): Promise<void> {
  await realSync.call(this);
  if (tempFiles.has(this)) await pause("synced");
};

await withVaultLock(home, async () => {
  let vault = await openVault(home, new TextEncoder().encode(pass));
  let n = Number(vault.docs.user.notes ?? "0");
  console.log(`ready ${n}`);
  while (true) {
    n++;
    const docs = structuredClone(vault.docs);
    docs.user.notes = String(n);
    // vary the payload size so saves differ in length too
    docs.stewards.stewards = Array.from(
      { length: n % 7 },
      (_, i) => ({ id: `s${i}`, name: `S ${i}` }),
    );
    saving = n;
    saves++;
    console.log(`saving ${n}`);
    vault = await saveVault(vault, docs);
    console.log(`saved ${n}`);
  }
});
