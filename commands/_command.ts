/**
 * The shape every command file has: a spec object with its options, then `run(options, deps)`.
 *
 * A command plugs in by exporting `command` from a file in commands/ and re-running
 * `deno task codegen`, which lists it in `registry.gen.ts`. Names with a space ("paper backup")
 * become nested subcommands. Positional arguments arrive in `options` under their names
 * (`<file>` -> `options.file`, `[inputs...]` -> `options.inputs`).
 * @module
 */
import type { RecoveryPath } from "../recovery/survivor_path.ts";
import type { PbkdfOptions } from "../system/cryptsetup.ts";
import type { Io } from "./_io.ts";

/** One `--flag`, in commander's syntax (`-o, --out <dir>`, `--force`, `--words <n>`). */
export interface OptionSpec {
  /** Commander flag syntax. */
  readonly flags: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Default value shown in `--help`. */
  readonly default?: string | boolean;
  /** Allowed values. */
  readonly choices?: readonly string[];
}

/** One positional argument: `<name>` required, `[name]` optional, `...` for a list. */
export interface ArgumentSpec {
  /** Commander syntax, e.g. `<file>` or `[inputs...]`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
}

/** Options every command receives, from the global flags. */
export interface GlobalOptions {
  /** The Paradux home directory: holds vault.luks, state and locks (`--vault`). */
  readonly home: string;
  /** `-v/--verbose`. */
  readonly verbose: boolean;
  /** `--json`: machine-readable output where the command supports it. */
  readonly json: boolean;
}

/** The cost of the key derivations a command makes new: everyday keyslots, paper backups. */
export interface KdfChoice {
  /** KDF of new everyday keyslots (init, change-passphrase, recover --install). */
  readonly everyday: PbkdfOptions;
  /** age scrypt work factor (log2 N) of new paper backups. */
  readonly paperLogN: number;
}

/** What a command may use besides its options; tests pass their own. */
export interface Deps {
  /** Global options. */
  readonly globals: GlobalOptions;
  /** All output goes through here. */
  readonly io: Io;
  /** Key-derivation costs (default: the real ones, commands/_vault.ts `kdfOf`); only tests
   * and their entry point pass cheaper ones. */
  readonly kdf?: KdfChoice;
  /** The survivor's path `recover`, `drill` and `demo` run (default recovery/survivor_path.ts
   * `SURVIVOR_PATH`); tests break one step of it to see the drill and the demo fail. */
  readonly recovery?: RecoveryPath;
}

/** A command's declaration and behaviour. */
export interface CommandSpec<O extends object = object> {
  /** `init`, `edit-user`, `paper backup`. */
  readonly name: string;
  /** Other names that run the same command (the original plan's vocabulary). */
  readonly aliases?: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Longer help text shown by `paradux NAME --help`. */
  readonly description?: string;
  /** Positional arguments. */
  readonly args?: readonly ArgumentSpec[];
  /** Flags. */
  readonly options?: readonly OptionSpec[];
  /** True when the command honours `--json`. */
  readonly json?: boolean;
  /** Does the work; returns the exit code (default 0). Throws ParaduxError for user errors. */
  run(options: O, deps: Deps): Promise<number | void>;
}

/** Identity helper that gives a command file its types. */
export function defineCommand<O extends object>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}
