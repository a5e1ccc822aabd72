/**
 * Paradux's entry point: argv -> the command registry -> `command.run(options, deps)`.
 *
 * This is the only place that turns errors into exit codes ({@link EXIT_CODES}). User errors
 * (`ParaduxError`) print one line `paradux: MESSAGE` plus `hint: ...`; anything else is a bug
 * and prints its stack trace with exit code 70.
 * @module
 */
import type { RecoveryPath } from "./recovery/survivor_path.ts";
import { Command, CommanderError, Option } from "commander";
import { homedir } from "node:os";
import { join } from "node:path";
import { type ErrorKind, ParaduxError } from "./errors.ts";
import type { CommandSpec, Deps, GlobalOptions, KdfChoice } from "./commands/_command.ts";
import { type Io, terminalIo } from "./commands/_io.ts";
import { commandLoaders } from "./commands/lazy.gen.ts";
import denoJson from "./deno.json" with { type: "json" };

/** Paradux's version, from deno.json. */
export const VERSION: string = denoJson.version;

/** Exit codes: one per kind of user error; documented in the README. */
export const EXIT_CODES: Readonly<Record<ErrorKind | "ok" | "bug", number>> = {
  ok: 0,
  partial: 1,
  usage: 2,
  input: 3,
  auth: 4,
  "not-found": 5,
  exists: 6,
  locked: 7,
  "missing-tool": 8,
  "tool-failed": 9,
  insufficient: 10,
  capacity: 11,
  mismatch: 12,
  bug: 70,
  interrupted: 130,
};

/** What each exit code means, in a word or two (for `--help`). */
const EXIT_LABELS: Readonly<Record<keyof typeof EXIT_CODES, string>> = {
  ok: "ok",
  partial: "partly failed",
  usage: "usage",
  input: "bad input",
  auth: "authentication",
  "not-found": "not found",
  exists: "exists",
  locked: "locked",
  "missing-tool": "missing tool",
  "tool-failed": "tool failed",
  insufficient: "too few shares or frames",
  capacity: "capacity",
  mismatch: "another backup or set",
  bug: "bug",
  interrupted: "interrupted",
};

/** The exit-code line of `--help`, built from {@link EXIT_CODES}, wrapped at 95 columns. */
export function exitCodesHelp(): string {
  const items = (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[])
    .sort((a, b) => EXIT_CODES[a] - EXIT_CODES[b])
    .map((k) => `${EXIT_CODES[k]} ${EXIT_LABELS[k]}`);
  const lines = ["Exit codes:"];
  for (const [i, item] of items.entries()) {
    const text = `${item}${i === items.length - 1 ? "." : ","}`;
    if (`${lines.at(-1)} ${text}`.length > 95) lines.push(text);
    else lines[lines.length - 1] += ` ${text}`;
  }
  return lines.join("\n");
}

/** The default Paradux home: $PARADUX_HOME, /var/lib/paradux for root, else ~/.paradux. */
export function defaultHome(env: (name: string) => string | undefined, uid: number | null): string {
  const fromEnv = env("PARADUX_HOME");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (uid === 0) return "/var/lib/paradux";
  return join(env("HOME") ?? homedir(), ".paradux");
}

/** Commander's name for a positional argument: `<inputs...>` -> `inputs`. */
export function argumentKey(syntax: string): string {
  const bare = syntax.replace(/^[<[]|[>\]]$/g, "").replace(/\.\.\.$/, "");
  return bare.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function addCommand(parent: Command, spec: CommandSpec, leafName: string, run: Runner): void {
  const cmd = parent.command(leafName).description(spec.summary);
  if (spec.description !== undefined) cmd.addHelpText("after", `\n${spec.description}`);
  for (const alias of spec.aliases ?? []) cmd.alias(alias);
  for (const arg of spec.args ?? []) cmd.argument(arg.name, arg.description);
  for (const opt of spec.options ?? []) {
    const option = new Option(opt.flags, opt.description);
    if (opt.default !== undefined) option.default(opt.default);
    if (opt.choices !== undefined) option.choices([...opt.choices]);
    cmd.addOption(option);
  }
  if (spec.json === true) cmd.option("--json", "machine-readable output");
  cmd.action(async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const options: Record<string, unknown> = { ...command.opts() };
    (spec.args ?? []).forEach((arg, i) => {
      options[argumentKey(arg.name)] = params[i];
    });
    await run(spec, options, command);
  });
}

type Runner = (spec: CommandSpec, options: Record<string, unknown>, cmd: Command) => Promise<void>;

/** Builds the commander program from the registry; `run` is called for the chosen command. */
export function buildProgram(specs: readonly CommandSpec[], run: Runner, io: Io): Command {
  const program = new Command("paradux")
    .description(
      "Paradux: backups, an encrypted metadata vault and k-of-n recovery with stewards,\n" +
        "so you can get your digital life back after losing everything.",
    )
    .version(VERSION, "--version", "print the version")
    .option(
      "--vault <dir>",
      "Paradux home directory (default: $PARADUX_HOME, ~/.paradux, or /var/lib/paradux as root)",
    )
    .option("-v, --verbose", "more detail, including external programs' output")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
      outputError: (s, write) => write(s.replace(/^error: /, "paradux: ")),
    });
  program.addHelpText("after", `\n${exitCodesHelp()}`);
  const groups = new Map<string, Command>();
  for (const spec of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    const words = spec.name.split(" ");
    let parent = program;
    for (const word of words.slice(0, -1)) {
      let group = groups.get(word);
      if (group === undefined) {
        group = program.command(word).description(`${word} commands`).exitOverride();
        groups.set(word, group);
      }
      parent = group;
    }
    addCommand(parent, spec, words.at(-1) ?? spec.name, run);
  }
  return program;
}

/** Prints a user error or a bug and returns the exit code. */
export function reportError(e: unknown, io: Io, verbose: boolean): number {
  if (e instanceof ParaduxError) {
    io.err(`paradux: ${e.message}`);
    if (e.hint !== undefined) io.err(`hint: ${e.hint}`);
    if (verbose && e.cause !== undefined) io.err(`cause: ${String(e.cause)}`);
    return EXIT_CODES[e.kind];
  }
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
    if (e.code === "commander.help") return 0;
    io.err("hint: run 'paradux --help' for the list of commands and options");
    return EXIT_CODES.usage;
  }
  io.err("paradux: internal error (a bug; please report it with the text below)");
  io.err(e instanceof Error ? (e.stack ?? String(e)) : String(e));
  return EXIT_CODES.bug;
}

/**
 * The command name argv names, found without commander: the first one or two words after the
 * global options, when they are a command's name or alias (pure). Undefined when argv has no
 * such name or anything before it that is not a known global option (then every command is
 * loaded, so help, suggestions and errors are commander's own).
 */
export function commandNameOf(
  argv: readonly string[],
  known: (name: string) => boolean,
): string | undefined {
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--vault") i++;
    else if (a.startsWith("--vault=") || a === "-v" || a === "--verbose") continue;
    else break;
  }
  const first = argv[i];
  if (first === undefined || first.startsWith("-")) return undefined;
  const second = argv[i + 1];
  if (second !== undefined && known(`${first} ${second}`)) return `${first} ${second}`;
  return known(first) ? first : undefined;
}

/**
 * The specs to build the program from: only the named command's (its file alone is imported,
 * which keeps the timers' `backup --job` start-up short), else every command.
 */
async function specsFor(argv: readonly string[]): Promise<readonly CommandSpec[]> {
  const name = commandNameOf(argv, (n) => Object.hasOwn(commandLoaders, n));
  const load = name === undefined ? undefined : commandLoaders[name];
  if (load !== undefined) return [await load()];
  return (await import("./commands/registry.gen.ts")).commands;
}

/** How {@link main} runs besides argv: only tests pass these (cheaper KDFs, a broken path). */
export interface MainOptions {
  /** Key-derivation costs (default the real ones). */
  kdf?: KdfChoice;
  /** The survivor's path (default recovery/survivor_path.ts `SURVIVOR_PATH`). */
  recovery?: RecoveryPath;
}

/** Runs Paradux with `argv` and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: Io = terminalIo(),
  how: MainOptions = {},
): Promise<number> {
  let code = 0;
  let verbose = argv.includes("-v") || argv.includes("--verbose");
  const program = buildProgram(await specsFor(argv), async (spec, options, cmd) => {
    const g = cmd.optsWithGlobals() as { vault?: string; verbose?: boolean; json?: boolean };
    verbose = g.verbose === true;
    const globals: GlobalOptions = {
      home: g.vault ?? defaultHome((n) => Deno.env.get(n), Deno.uid()),
      verbose,
      json: g.json === true,
    };
    const deps: Deps = {
      globals,
      io,
      ...(how.kdf === undefined ? {} : { kdf: how.kdf }),
      ...(how.recovery === undefined ? {} : { recovery: how.recovery }),
    };
    const result = await spec.run(options, deps);
    code = typeof result === "number" ? result : 0;
  }, io);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    return reportError(e, io, verbose);
  }
  return code;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
