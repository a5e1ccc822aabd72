/**
 * e2e: `deno task paradux` (the README's way to run from a checkout) resolves the paths a user
 * gives against the directory the user ran it in, not the checkout, and names a missing relative
 * path with the absolute path it looked at.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

function passThrough(...names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = Deno.env.get(n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

async function task(cwd: string, args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", CONFIG, "paradux", ...args],
    cwd,
    // deno task keeps an INIT_CWD it inherits (as under `deno task test`): start clean
    clearEnv: true,
    env: { NO_COLOR: "1", ...passThrough("PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME") },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: r.code, stderr: text.decode(r.stderr) };
}

Deno.test("e2e deno task paradux: relative paths are the user's, missing ones shown absolute", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "paradux-task-cwd-" }));
  try {
    await Deno.writeTextFile(join(dir, "words.txt"), "not a mnemonic\n", { mode: 0o600 });
    let r = await task(dir, [
      "recover",
      "--secret-file",
      "words.txt",
      "--from",
      "x",
      "--extract",
      "o",
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /the recovery secret is not a valid 24-word mnemonic/,
      "it read words.txt",
    );
    r = await task(dir, ["recover", "--secret-file", "nope.txt", "--from", "x", "--extract", "o"]);
    assert.equal(r.code, 5, r.stderr);
    assert.ok(
      r.stderr.includes(`secret file nope.txt (${join(dir, "nope.txt")}) does not exist`),
      r.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
