/**
 * The README's restore recipes for chains, run as written with only standard tools (bash,
 * rclone, age, gunzip, tar, sed, tr, cat) and an environment holding nothing but PATH and the
 * recipe's variables: the middle snapshot of a 3-snapshot chain (a deletion and a rename in
 * between) restored from an FTP server (pyftpdlib) and from an encrypted `file` destination
 * matches the copy kept when it was made.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { protocol as ftp } from "../../protocols/ftp.ts";
import { protocol as file } from "../../protocols/file.ts";
import type { Location, TransferContext } from "../../protocols/protocol.ts";
import type { ChainOptions } from "../../protocols/chain.ts";
import { pushEncrypted } from "../../datasets/encrypted.ts";
import { currentDataKey } from "../../datasets/data_keys.ts";
import { newSecrets } from "../../vault/secrets.ts";
import { startFtp } from "../helpers/servers/ftp.ts";
import { diffTrees, makeUnusualTree } from "../helpers/tree.ts";

const README = new URL("../../README.md", import.meta.url);

/** The sh block after `<!-- restore-recipe:NAME -->` in the README. */
async function recipe(name: string): Promise<string> {
  const text = await Deno.readTextFile(README);
  const at = text.indexOf(`<!-- restore-recipe:${name} -->`);
  assert.ok(at >= 0, `README has no restore-recipe:${name}`);
  const m = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m?.[1] !== undefined, `no sh block after restore-recipe:${name}`);
  return m[1];
}

async function runRecipe(script: string, env: Record<string, string>): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: ["-euo", "pipefail", "-c", script],
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `the recipe failed: ${err}`);
}

type Push = (dir: string, ctx: TransferContext, chain: ChainOptions) => Promise<{ id: string }>;

/** Three chained pushes with changes between; returns the middle id and a copy of that tree. */
async function chainOfThree(work: string, push: Push): Promise<{ id: string; copy: string }> {
  const src = join(work, "src");
  const stateDir = join(work, "state");
  await Deno.mkdir(src);
  await makeUnusualTree(src, { sparseBytes: 128 * 1024 });
  const ctx = { privateDir: work, now: new Date() };
  await push(src, ctx, { stateDir });
  await Deno.remove(join(src, "private.key"));
  await Deno.rename(join(src, "dir with spaces"), join(src, "renamed dir"));
  await Deno.writeTextFile(join(src, "new.txt"), "new in the middle\n");
  const middle = await push(src, { ...ctx, now: new Date() }, { stateDir });
  const copy = join(work, "copy");
  const cp = await new Deno.Command("cp", { args: ["-a", src, copy] }).output();
  assert.ok(cp.success);
  await Deno.remove(join(src, "new.txt"));
  await Deno.writeTextFile(join(src, "later.txt"), "after the middle\n");
  await push(src, { ...ctx, now: new Date() }, { stateDir });
  return { id: middle.id, copy };
}

Deno.test("README recipe: an ftp chain restores with rclone and tar alone", async () => {
  const s = await startFtp();
  const work = await Deno.makeTempDir({ prefix: "paradux-recipe-ftp-" });
  try {
    const location: Location = {
      url: `ftp://${s.user}@127.0.0.1:${s.port}/chain`,
      credentials: { password: s.password },
    };
    const { id, copy } = await chainOfThree(work, async (dir, ctx, chain) => {
      const r = await ftp.push(dir, location, ctx, { chain });
      return { id: r.snapshot.id };
    });
    const obscured = await new Deno.Command("rclone", { args: ["obscure", s.password] }).output();
    const pass = new TextDecoder().decode(obscured.stdout).trim();
    const out = join(work, "out");
    await Deno.mkdir(out);
    await runRecipe(await recipe("plain"), {
      REMOTE: `:ftp,host=127.0.0.1,port=${s.port},user=${s.user},pass=${pass}:chain`,
      ID: id,
      DIR: out,
    });
    assert.deepEqual(await diffTrees(copy, out), []);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await s.stop();
  }
});

Deno.test("README recipe: an encrypted chain restores with rclone, age and tar alone", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-recipe-enc-" });
  try {
    const key = currentDataKey(await newSecrets(2));
    const dest = join(work, "dest");
    const location: Location = { url: `file://${dest}` };
    const { id, copy } = await chainOfThree(work, async (dir, ctx, chain) => {
      const r = await pushEncrypted(dir, location, file, [key.recipient], ctx, {
        keyGeneration: key.generation,
        chain,
        partSize: 4096,
      });
      return { id: r.snapshot.id };
    });
    const keyFile = join(work, "key.txt");
    await Deno.writeTextFile(keyFile, key.identity + "\n", { mode: 0o600 });
    const [out, scratch] = [join(work, "out"), join(work, "scratch")];
    await Deno.mkdir(out);
    await Deno.mkdir(scratch);
    await runRecipe(await recipe("encrypted"), {
      REMOTE: dest,
      ID: id,
      DIR: out,
      KEY: keyFile,
      WORK: scratch,
    });
    assert.deepEqual(await diffTrees(copy, out), []);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
});
