/**
 * Child process for the SIGKILL test: opens the vault in HOME (argv[0]) with the passphrase
 * (argv[1]) and saves it forever, storing an increasing counter in user.notes. After each save
 * it prints the counter it just saved. The parent kills it with SIGKILL at random moments.
 * @module
 */
import { openVault, saveVault, withVaultLock } from "../../vault/vault.ts";

const [home, pass] = Deno.args;
if (home === undefined || pass === undefined) throw new Error("usage: HOME PASSPHRASE");
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
    vault = await saveVault(vault, docs);
    console.log(`saved ${n}`);
  }
});
