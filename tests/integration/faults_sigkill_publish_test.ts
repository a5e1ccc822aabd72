/**
 * Fault test: `paradux publish-metadata` killed with SIGKILL at random moments while it exports
 * the vault and uploads it to two `file://` metadata locations that hold an older export. At
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

const PASS = "sigkill publish passphrase";
const RUNS = 8;

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
      threshold: 2,
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

    // publish the old documents once, and time a whole run
    const t0 = performance.now();
    const first = await cli(home, passFile).output();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    const full = performance.now() - t0;
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

    const seen: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const child = cli(home, passFile);
      const at = (0.3 + 0.55 * (run + Math.random()) / RUNS) * full;
      await new Promise((r) => setTimeout(r, at));
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      const status = await child.output();
      const versions = await check(`run ${run} (${at.toFixed(0)} ms)`);
      seen.push(`${at.toFixed(0)}ms:${status.signal ?? status.code}:${versions.join(",")}`);
    }
    const last = await cli(home, passFile).output();
    assert.equal(last.code, 0, new TextDecoder().decode(last.stderr));
    assert.deepEqual(await check("after recovery"), ["new", "new"]);
    console.log(`full run ${full.toFixed(0)} ms; kills: ${seen.join(" ")}`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
