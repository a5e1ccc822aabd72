/**
 * Cheap key derivations for tests only: argon2id of 8 MiB and 4 passes for everyday keyslots,
 * age scrypt 2^10 for paper backups. The shipped program never uses them: commands get them
 * through `Deps.kdf`, the CLI through the test entry point tests/e2e/cheap_kdf_main.ts.
 * @module
 */
import type { KdfChoice } from "../../commands/_command.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";

/** The cheap KDF choice for tests. */
export const CHEAP_KDF: KdfChoice = { everyday: TEST_ARGON2ID, paperLogN: 10 };
