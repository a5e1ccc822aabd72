/**
 * Start-up cost: `paradux --help` and `paradux status` against `deno eval 0`. `status` opens a
 * vault made for the run in a temp home with the cheap test KDF (made by the test entry point
 * tests/e2e/cheap_kdf_main.ts, a small argon2id), so its row is start-up plus reading the vault,
 * not the everyday KDF (that is the "vault open+read" row of the LUKS2 group). Both rows run
 * main.ts itself.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, medianMs, run } from "./harness.ts";

const PASS = "bench everyday passphrase";

/** Measures CLI start-up against a bare Deno start. */
export async function benchStartup(root: string): Promise<BenchRow[]> {
  const deno = Deno.execPath();
  const tmp = await Deno.makeTempDir({ prefix: "paradux-bench-startup-" });
  try {
    const home = join(tmp, "home");
    const passFile = join(tmp, "pass");
    await Deno.writeTextFile(passFile, PASS + "\n", { mode: 0o600 });
    const entry = (main: string, ...args: string[]) =>
      run(deno, [
        "run",
        "-q",
        "-P=paradux",
        "--config",
        join(root, "deno.json"),
        join(root, main),
        ...args,
      ], { env: { NO_COLOR: "1" } });
    const cli = (...args: string[]) => entry("main.ts", ...args);
    await entry(
      "tests/e2e/cheap_kdf_main.ts",
      "--vault",
      home,
      "init",
      "--passphrase-file",
      passFile,
      "--min-stewards",
      "2",
    );
    const reference = await medianMs(() => run(deno, ["eval", "0"]), 7);
    const help = await medianMs(() => cli("--help"), 7);
    const status = await medianMs(
      () => cli("--vault", home, "status", "--passphrase-file", passFile),
      5,
    );
    return [{
      name: "paradux --help start-up",
      paradux: help,
      reference,
      referenceName: "deno eval 0",
      unit: "ms",
    }, {
      name: "paradux status start-up",
      paradux: status,
      reference,
      referenceName: "deno eval 0",
      unit: "ms",
      note: "opens a cheap-KDF vault",
    }];
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
