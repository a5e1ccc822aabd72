/**
 * What the vault commands share: the `--passphrase-file` option, getting the everyday
 * passphrase (from a file, stdin or a terminal prompt; never a hang on a pipe), and opening the
 * vault of the Paradux home.
 * @module
 */
import { stdinText } from "../system/stdin.ts";
import { DEFAULT_LOG_N } from "../crypto/age_passphrase.ts";
import { ParaduxError } from "../errors.ts";
import { canPrompt, promptPassword } from "../system/prompt.ts";
import { EVERYDAY_PBKDF, type OpenedVault, openVault, vaultPath } from "../vault/vault.ts";
import type { Deps, KdfChoice, OptionSpec } from "./_command.ts";
import type { PassphraseOptions } from "./_passphrase_option.ts";
import { missingPathMessage } from "../system/shown_path.ts";
import type { PbkdfOptions } from "../system/cryptsetup.ts";

/** The real key-derivation costs: argon2id as cryptsetup benchmarks it, age's scrypt 2^18. */
export const REAL_KDF: KdfChoice = { everyday: EVERYDAY_PBKDF, paperLogN: DEFAULT_LOG_N };

/** The key-derivation costs a command uses: `deps.kdf` when given, else {@link REAL_KDF}. */
export function kdfOf(deps: Pick<Deps, "kdf">): KdfChoice {
  return deps.kdf ?? REAL_KDF;
}

/** cryptsetup's default `--iter-time`: what checking the everyday passphrase takes, in ms. */
export const DEFAULT_UNLOCK_MS = 2000;

/** The option of commands that make a new everyday keyslot (init, change-passphrase). */
export const UNLOCK_TIME_OPTION: OptionSpec = {
  flags: "--unlock-time <ms>",
  description: "how long checking the everyday passphrase takes on this machine, in ms " +
    `(default ${DEFAULT_UNLOCK_MS}, cryptsetup's argon2id benchmark; longer makes guessing ` +
    "slower, and every command that opens the vault waits that long)",
};

/** Options of commands with {@link UNLOCK_TIME_OPTION}. */
export interface UnlockTimeOptions {
  /** `--unlock-time MS`. */
  unlockTime?: string;
}

/**
 * The KDF of a new everyday keyslot: argon2id benchmarked to `--unlock-time` when given, else
 * {@link kdfOf}'s.
 * @throws ParaduxError `usage` when the time is not a whole number from 250 to 60000.
 */
export function everydayKdf(options: UnlockTimeOptions, deps: Pick<Deps, "kdf">): PbkdfOptions {
  if (options.unlockTime === undefined) return kdfOf(deps).everyday;
  const ms = Number(options.unlockTime);
  if (!/^[0-9]+$/.test(options.unlockTime) || ms < 250 || ms > 60000) {
    throw new ParaduxError(
      "usage",
      "--unlock-time must be a whole number of ms from 250 to 60000",
      {
        hint: "e.g. --unlock-time 2000 (2 s, the default); below 250 ms guessing gets cheap",
      },
    );
  }
  return { type: "argon2id", iterTimeMs: ms };
}

export { PASSPHRASE_OPTION, type PassphraseOptions } from "./_passphrase_option.ts";

let stdinLines: Promise<string[]> | undefined;

/** The lines of stdin, read once (so two secrets can both come from '-'). */
function readStdinLines(): Promise<string[]> {
  stdinLines ??= stdinText().then((t) => t.split(/\r?\n/));
  return stdinLines;
}

let stdinUsed = 0;

/**
 * Reads a passphrase from FILE's first line, or from the next line of stdin for '-'.
 * @throws ParaduxError `not-found` for a missing file, `input` for an empty passphrase.
 */
export async function readPassphraseSource(source: string): Promise<Uint8Array> {
  let line: string | undefined;
  if (source === "-") {
    line = (await readStdinLines())[stdinUsed++];
  } else {
    try {
      line = (await Deno.readTextFile(source)).split(/\r?\n/)[0];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ParaduxError("not-found", missingPathMessage(source, "passphrase file"));
      }
      throw e;
    }
  }
  if (line === undefined || line === "") {
    throw new ParaduxError("input", `no passphrase in ${source === "-" ? "stdin" : source}`, {
      hint: "the passphrase is the first line of the file (or the next line of stdin)",
    });
  }
  return new TextEncoder().encode(line);
}

function noPassphrase(): ParaduxError {
  return new ParaduxError("usage", "the everyday passphrase is needed and there is no terminal", {
    hint: "pass --passphrase-file FILE (or - to read it from stdin)",
  });
}

/** The everyday passphrase: from `--passphrase-file`, else asked on the terminal. */
export async function everydayPassphrase(options: PassphraseOptions): Promise<Uint8Array> {
  if (options.passphraseFile !== undefined) {
    return await readPassphraseSource(options.passphraseFile);
  }
  if (!canPrompt()) throw noPassphrase();
  const text = await promptPassword("everyday passphrase of the vault:");
  if (text === "") throw new ParaduxError("input", "empty passphrase");
  return new TextEncoder().encode(text);
}

/** Shortest everyday passphrase `init` and `change-passphrase` accept. */
export const MIN_PASSPHRASE_LENGTH = 8;

/**
 * A new everyday passphrase: from a file/stdin, or asked twice on the terminal.
 * @throws ParaduxError `input` when too short or the two entries differ.
 */
export async function newPassphrase(source: string | undefined): Promise<Uint8Array> {
  let text: string;
  if (source !== undefined) {
    text = new TextDecoder().decode(await readPassphraseSource(source));
  } else {
    if (!canPrompt()) throw noPassphrase();
    text = await promptPassword("new everyday passphrase:");
    const again = await promptPassword("the same passphrase again:");
    if (again !== text) {
      throw new ParaduxError("input", "the two passphrases differ", { hint: "try again" });
    }
  }
  if ([...text].length < MIN_PASSPHRASE_LENGTH) {
    throw new ParaduxError(
      "input",
      `the everyday passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`,
      { hint: "use a few unrelated words; you will type it often, so make it memorable" },
    );
  }
  return new TextEncoder().encode(text);
}

/** Opens the vault of the home in `deps` with the everyday passphrase. */
export async function openHomeVault(
  options: PassphraseOptions,
  deps: Deps,
): Promise<OpenedVault> {
  const path = vaultPath(deps.globals.home);
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", `no vault at ${path}`, {
        hint: "create one with 'paradux init', or pass --vault DIR",
      });
    }
    throw e;
  }
  const passphrase = await everydayPassphrase(options);
  deps.io.progress("opening the vault (the passphrase check is slow on purpose)...");
  try {
    return await openVault(deps.globals.home, passphrase);
  } finally {
    deps.io.progress("", true);
  }
}
