/**
 * Fault test: `paradux export-metadata FILE` killed with SIGKILL at moments that follow the
 * run's own events (start, the working copy in the home, the temp file at the destination, the
 * export renamed into place), each plus a random delay (tests/helpers/kill_at.ts). At the
 * destination name there is never a partial file: either nothing (or the previous export) or a
 * complete export that only the recovery secret opens, with the vault's documents. No file the
 * killed run leaves in the destination directory still holds the everyday keyslot (the everyday
 * passphrase is never exported; the working copy lives in the private home until the next
 * locked vault operation removes it). The next run succeeds. (SIGKILL during a vault save is
 * tests/integration/vault_sigkill_test.ts.)
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createVault, exportVault, openVaultFile, withVaultLock } from "../../vault/vault.ts";
import { parseLuks2Header } from "../../crypto/luks2/mod.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import { ROOT } from "../e2e/cli.ts";
import { atStart, killAt, newEntry, type Probe, replaced } from "../helpers/kill_at.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const PASS = "sigkill export passphrase";

function cli(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=paradux", "--config", join(ROOT, "deno.json"), join(ROOT, "main.ts")]
      .concat(args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Keyslot ids of a LUKS2 file, or null when its header does not parse. */
async function keyslotsOf(path: string): Promise<string[] | null> {
  try {
    const h = parseLuks2Header(await Deno.readFile(path));
    return Object.keys(h.json.keyslots).sort();
  } catch {
    return null;
  }
}

Deno.test("faults: export-metadata killed with SIGKILL leaves no partial export and no everyday keyslot", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-sigkill-export-" });
  try {
    const home = join(work, "home");
    const out = join(work, "out");
    await Deno.mkdir(out);
    const passFile = join(work, "pass");
    await Deno.writeTextFile(passFile, PASS + "\n");
    const vault = await createVault(home, new TextEncoder().encode(PASS), {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const mnemonic = new TextEncoder().encode(vault.docs.secrets.recoveryMnemonic);
    const dest = join(out, "vault-export.luks");
    const args = ["--vault", home, "export-metadata", dest, "--passphrase-file", passFile];

    // a whole run works
    const first = await cli(args).output();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    await Deno.remove(dest);

    /** Where to kill: an event of the run (probe made just before the child starts), + delay. */
    const moments: [string, () => Probe, number][] = [
      ["start", () => atStart, 500],
      ["working copy", () => newEntry(home, /\.tmp$/), 0],
      ["working copy", () => newEntry(home, /\.tmp$/), 100],
      ["temp at destination", () => newEntry(out, /\.tmp$/), 0],
      ["temp at destination", () => newEntry(out, /\.tmp$/), 20],
      ["export in place", () => replaced(dest), 0],
    ];
    const outcomes: string[] = [];
    for (const [run, [what, makeProbe, extraMs]] of moments.entries()) {
      const probe = makeProbe();
      const child = cli(args);
      const hit = await killAt(child, probe, extraMs);
      const status = await child.output();
      const label = `run ${run} (${what}${hit ? "" : ", not reached"})`;
      const files = [...Deno.readDirSync(out)].map((e) => e.name);
      for (const name of files) {
        const slots = await keyslotsOf(join(out, name));
        assert.ok(
          slots === null || !slots.includes("0"),
          `${label}: ${name} holds the everyday keyslot`,
        );
      }
      if (files.includes("vault-export.luks")) {
        assert.deepEqual(await keyslotsOf(dest), ["1"], `${label}: partial export at ${dest}`);
        const opened = await openVaultFile(dest, mnemonic);
        assert.deepEqual(opened.docs, vault.docs);
        await Deno.remove(dest);
      }
      outcomes.push(`${what}:${hit}:${status.signal ?? `exit ${status.code}`}:${files.length}`);
    }
    // the next run succeeds
    const last = await cli(args).output();
    assert.equal(last.code, 0, new TextDecoder().decode(last.stderr));
    assert.deepEqual(await keyslotsOf(dest), ["1"]);
    // a killed run's working copy (everyday keyslot still in) stays only in the private home,
    // and goes with the next locked vault operation
    await withVaultLock(home, () => Promise.resolve());
    assert.deepEqual(
      [...Deno.readDirSync(home)].map((e) => e.name).filter((n) => n.endsWith(".tmp")),
      [],
    );
    console.log(`kills: ${outcomes.join(" ")}`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("faults: while exporting, no file in the destination directory ever holds the everyday keyslot", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-export-watch-" });
  try {
    const out = join(work, "out");
    await Deno.mkdir(out);
    const vault = await createVault(join(work, "home"), new TextEncoder().encode(PASS), {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const watcher = Deno.watchFs(out);
    const seen: string[] = [];
    const watching = (async () => {
      for await (const event of watcher) {
        for (const path of event.paths) {
          const slots = await keyslotsOf(path);
          if (slots !== null) seen.push(`${path}: ${slots.join(",")}`);
        }
      }
    })();
    for (let i = 0; i < 3; i++) await exportVault(vault, join(out, "vault-export.luks"));
    await new Promise((r) => setTimeout(r, 100));
    watcher.close();
    await watching;
    assert.ok(seen.length > 0, "the watcher saw the export");
    for (const s of seen) assert.ok(!/: .*0/.test(s), `everyday keyslot at the destination: ${s}`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
