/**
 * A throwaway Paradux world for end-to-end tests: a temp root with a Paradux home, a passphrase
 * file, a scripted `paradux-editor` first on PATH, cheap KDFs, and units written under the root
 * (never into the live system). Commands run through {@link runCli} with that environment.
 * @module
 */
import { join } from "node:path";
import { type CliResult, runCli } from "./cli.ts";

/** The everyday passphrase of every sandbox vault. */
export const PASS = "everyday passphrase 1";

/** The default scripted editor: replaces the file with `$PARADUX_EDITOR_DIR/next.json`. */
export const COPY_EDITOR = `#!/bin/sh
# scripted editor: replaces the file with $PARADUX_EDITOR_DIR/next.json
set -e
cp "$PARADUX_EDITOR_DIR/next.json" "$1"
`;

/** One sandbox. */
export interface Sandbox {
  /** The temp root (remove it when done). */
  root: string;
  /** The Paradux home (`--vault`), not created yet. */
  home: string;
  /** A file holding {@link PASS}. */
  passFile: string;
  /** Where the scripted editor reads its instructions. */
  editorDir: string;
  /** Where the vault hooks write units (`PARADUX_UNITS_ROOT`). */
  unitsRoot: string;
  /** The environment the CLI runs with. */
  env: Record<string, string>;
}

/** Makes a sandbox under a temp dir named after `name`, with `editor` as `paradux-editor`. */
export async function makeSandbox(name: string, editor = COPY_EDITOR): Promise<Sandbox> {
  const root = await Deno.makeTempDir({ prefix: `paradux-e2e-${name}-` });
  const bin = join(root, "bin");
  const editorDir = join(root, "editor");
  await Deno.mkdir(bin);
  await Deno.mkdir(editorDir);
  await Deno.writeTextFile(join(bin, "paradux-editor"), editor, { mode: 0o755 });
  const passFile = join(root, "pass");
  await Deno.writeTextFile(passFile, PASS + "\n");
  const unitsRoot = join(root, "units");
  return {
    root,
    home: join(root, "home"),
    passFile,
    editorDir,
    unitsRoot,
    env: {
      PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      EDITOR: "paradux-editor",
      VISUAL: "",
      PARADUX_EDITOR_DIR: editorDir,
      PARADUX_UNITS_ROOT: unitsRoot,
    },
  };
}

/** Runs `paradux --vault HOME ARGS` in the sandbox (`stdin` and extra `env` optional). */
export function paradux(
  s: Sandbox,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return runCli(["--vault", s.home, ...args], {
    cheapKdf: true,
    env: { ...s.env, ...options.env },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

/** {@link paradux} with `--passphrase-file` giving the sandbox's passphrase. */
export function withPass(s: Sandbox, args: string[]): Promise<CliResult> {
  return paradux(s, [...args, "--passphrase-file", s.passFile]);
}

/** The lines of `text` that match `re`. */
export function lines(text: string, re: RegExp): string[] {
  return text.split("\n").filter((l) => re.test(l));
}
