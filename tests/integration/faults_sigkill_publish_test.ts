/**
 * Fault test: `paradux publish-metadata` killed with SIGKILL while it exports the vault and
 * uploads it to two `file://` metadata locations that hold an older export, at moments that
 * follow the run's own events (start, the working copy in the home, a temp file at a location,
 * the new export renamed into place at the first location), each plus a random delay
 * (tests/helpers/kill_at.ts). At
 * every location `vault-export.luks` is always a complete export — the old one or the new one,
 * opening with the recovery secret to the old or the new documents, never a partial file — and
 * no file left there holds the everyday keyslot. The next run publishes the new export to both.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createVault, openVaultFile, saveVault } from "../../vault/vault.ts";
import { parseLuks2Header } from "../../crypto/luks2/mod.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import { ROOT } from "../e2e/cli.ts";
import { atStart, killAt, newEntry, type Probe, replaced } from "../helpers/kill_at.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const PASS = "sigkill publish passphrase";

function cli(home: string, passFile: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=paradux", "--config", join(ROOT, "deno.json"), join(ROOT, "main.ts")]
      .concat(["--vault", home, "publish-metadata", "--passphrase-file", passFile]),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

Deno.test("faults: publish-metadata killed with SIGKILL leaves the old or the new export at each location", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-sigkill-publish-" });
  try {
    const home = join(work, "home");
    const passFile = join(work, "pass");
    await Deno.writeTextFile(passFile, PASS + "\n");
    const locations = ["a", "b"].map((n) => join(work, `location-${n}`));
    for (const l of locations) await Deno.mkdir(l);
    let vault = await createVault(home, new TextEncoder().encode(PASS), {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const mnemonic = new TextEncoder().encode(vault.docs.secrets.recoveryMnemonic);
    const docs = structuredClone(vault.docs);
    docs.settings.publishAfterEdit = false;
    docs["metadata-locations"].locations = locations.map((l, i) => ({
      name: `loc-${i}`,
      url: `file://${l}`,
    }));
    docs.user.notes = "old";
    vault = await saveVault(vault, docs);

    // publish the old documents once
    const first = await cli(home, passFile).output();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    const newDocs = structuredClone(vault.docs);
    newDocs.user.notes = "new";
    vault = await saveVault(vault, newDocs);

    const check = async (label: string): Promise<string[]> => {
      const versions: string[] = [];
      for (const l of locations) {
        for (const name of [...Deno.readDirSync(l)].map((e) => e.name)) {
          let slots: string[] | null = null;
          try {
            slots = Object.keys(parseLuks2Header(await Deno.readFile(join(l, name))).json.keyslots);
          } catch {
            // not a whole header: only allowed for temp files
          }
          assert.ok(!slots?.includes("0"), `${label}: ${l}/${name} holds the everyday keyslot`);
        }
        const exported = await openVaultFile(join(l, "vault-export.luks"), mnemonic);
        versions.push(exported.docs.user.notes ?? "?");
      }
      for (const v of versions) assert.ok(v === "old" || v === "new", `${label}: ${v}`);
      return versions;
    };

    /** Where to kill: an event of the run (probe made just before the child starts), + delay. */
    const [a, b] = locations as [string, string];
    const moments: [string, () => Probe, number][] = [
      ["start", () => atStart, 500],
      ["working copy", () => newEntry(home, /\.tmp$/), 50],
      ["temp at a location", () => newEntry(a, /\.tmp$/), 0],
      ["temp at a location", () => newEntry(b, /\.tmp$/), 10],
      ["first location replaced", () => replaced(join(a, "vault-export.luks")), 0],
      ["first location replaced", () => replaced(join(a, "vault-export.luks")), 50],
    ];
    const seen: string[] = [];
    for (const [run, [what, makeProbe, extraMs]] of moments.entries()) {
      const probe = makeProbe();
      const child = cli(home, passFile);
      const hit = await killAt(child, probe, extraMs);
      const status = await child.output();
      const versions = await check(`run ${run} (${what}${hit ? "" : ", not reached"})`);
      seen.push(`${what}:${hit}:${status.signal ?? status.code}:${versions.join(",")}`);
    }
    const last = await cli(home, passFile).output();
    assert.equal(last.code, 0, new TextDecoder().decode(last.stderr));
    assert.deepEqual(await check("after recovery"), ["new", "new"]);
    console.log(`kills: ${seen.join(" ")}`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
