/**
 * A test entry point: main.ts's `main` with cheap KDFs and the survivor's path broken at one
 * step, named by `PARADUX_TEST_BROKEN_STEP` (`read`: the last input is lost; `secret`: the
 * secret comes out wrong; `open`: the opened copy loses its datasets). Only
 * tests/e2e/survivor_path_cli_test.ts runs it, to see the drill and the demo fail when the path
 * a survivor runs is broken. Nothing in the shipped program reaches it.
 * @module
 */
import { terminalIo } from "../../commands/_io.ts";
import { main } from "../../main.ts";
import { type RecoveryPath, SURVIVOR_PATH } from "../../recovery/survivor_path.ts";
import { CHEAP_KDF } from "../helpers/cheap_kdf.ts";

const OTHER = "abandon ".repeat(23) + "art";

/** The survivor's path with `step` broken. */
export function brokenPath(step: string | undefined): RecoveryPath {
  switch (step) {
    case "read":
      return {
        ...SURVIVOR_PATH,
        read: async (a, o) => (await SURVIVOR_PATH.read(a, o)).slice(0, -1),
      };
    case "secret":
      return {
        ...SURVIVOR_PATH,
        secret: async (i, o) => ({ ...await SURVIVOR_PATH.secret(i, o), mnemonic: OTHER }),
      };
    case "open":
      return {
        ...SURVIVOR_PATH,
        open: async (f, s, r) => {
          const opened = await SURVIVOR_PATH.open(f, s, r);
          return { ...opened, docs: { ...opened.docs, datasets: { datasets: [] } } };
        },
      };
    default:
      throw new Error(`PARADUX_TEST_BROKEN_STEP must be read, secret or open, not ${step}`);
  }
}

if (import.meta.main) {
  const recovery = brokenPath(Deno.env.get("PARADUX_TEST_BROKEN_STEP"));
  Deno.exit(await main(Deno.args, terminalIo(), { kdf: CHEAP_KDF, recovery }));
}
