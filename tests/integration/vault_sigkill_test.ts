import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createVault, openVault, vaultPath } from "../../vault/vault.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";

const PASS = "sigkill test passphrase";
const LOOP = fileURLToPath(new URL("../helpers/vault_save_loop.ts", import.meta.url));
const RUNS = 50;

/** Reads the child's stdout until `ready N`; then collects the last `saved N` until it ends. */
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

Deno.test({
  name: `vault: ${RUNS} saves killed with SIGKILL at random moments leave the old or the new vault`,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "paradux-sigkill-" });
    try {
      await createVault(home, new TextEncoder().encode(PASS), {
        threshold: 2,
        pbkdf: TEST_ARGON2ID,
      });
      let expected = 0;
      let killedMidSave = 0;
      for (let run = 0; run < RUNS; run++) {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-q", "-P=test", LOOP, home, PASS],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        let ready: () => void = () => {};
        const isReady = new Promise<void>((r) => (ready = r));
        let last = -1;
        const reading = lines(child.stdout, (l) => {
          const [word, n] = l.split(" ");
          if (word === "ready") {
            assert.equal(Number(n), expected, "the child starts from the last vault state");
            last = Number(n);
            ready();
          } else if (word === "saved") last = Number(n);
        });
        const stderr = new Response(child.stderr).text();
        await Promise.race([isReady, child.status]);
        await new Promise((r) => setTimeout(r, Math.random() * 120));
        child.kill("SIGKILL");
        const status = await child.status;
        await reading;
        assert.equal(status.signal, "SIGKILL", await stderr);
        await stderr;
        const vault = await openVault(home, new TextEncoder().encode(PASS));
        const n = Number(vault.docs.user.notes ?? "0");
        assert.ok(
          n === last || n === last + 1,
          `run ${run}: vault has ${n}, child printed ${last}`,
        );
        assert.equal(vault.docs.stewards.stewards.length, n % 7);
        if (n === last + 1) killedMidSave++;
        expected = n;
      }
      assert.ok(expected > RUNS, `the children saved ${expected} times in ${RUNS} runs`);
      const leftovers = [...Deno.readDirSync(home)].map((e) => e.name).filter((x) =>
        x !== "vault.luks" && x !== "vault.lock"
      );
      assert.ok(leftovers.length <= 1, `at most the last run's temp file: ${leftovers}`);
      console.log(`${expected} saves, ${killedMidSave} kills between a save and its report`);
      assert.ok((await Deno.stat(vaultPath(home))).isFile);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
