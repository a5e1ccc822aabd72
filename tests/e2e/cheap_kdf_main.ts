/**
 * The CLI's entry point for end-to-end tests: main.ts's `main` with cheap KDFs
 * (tests/helpers/cheap_kdf.ts), run with the same `paradux` permission set as the real one
 * (tests/e2e/cli.ts `runCli(..., { cheapKdf: true })`). Nothing in the shipped program reaches it.
 * @module
 */
import { terminalIo } from "../../commands/_io.ts";
import { main } from "../../main.ts";
import { CHEAP_KDF } from "../helpers/cheap_kdf.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args, terminalIo(), { kdf: CHEAP_KDF }));
}
