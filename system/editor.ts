/**
 * Running the user's text editor on a file: `$VISUAL`, then `$EDITOR`, then the first of
 * `editor`, `sensible-editor`, `vi`, `nano` on PATH. Only the editors in Paradux's permission set
 * may run; anything else gets an error telling the user to wrap it in a script named
 * `paradux-editor` on PATH. The editor's value is split on spaces (no shell).
 * @module
 */
import { basename } from "node:path";
import { ParaduxError } from "../errors.ts";
import { exec, hasTool } from "./exec.ts";

/** Editors Paradux may run (deno.json permission set "paradux"). */
export const ALLOWED_EDITORS: readonly string[] = [
  "editor",
  "sensible-editor",
  "vi",
  "vim",
  "nano",
  "paradux-editor",
];

/** The editor command: program and leading arguments. */
export interface EditorCommand {
  /** The program to run. */
  program: string;
  /** Arguments before the file name. */
  args: string[];
}

function notAllowed(value: string): ParaduxError {
  return new ParaduxError("usage", `paradux cannot run the editor '${value}'`, {
    hint: `set EDITOR to one of ${ALLOWED_EDITORS.join(", ")}, or put a wrapper script ` +
      "named paradux-editor on PATH that runs your editor",
  });
}

/**
 * Picks the editor from the environment; pure except for looking at PATH for the fallback.
 * @throws ParaduxError `usage` for an editor outside {@link ALLOWED_EDITORS}, `missing-tool`
 * when none is set and none is installed.
 */
export function resolveEditor(
  env: (name: string) => string | undefined,
  installed: (program: string) => boolean = hasTool,
): EditorCommand {
  for (const name of ["VISUAL", "EDITOR"]) {
    const value = (env(name) ?? "").trim();
    if (value === "") continue;
    const [program, ...args] = value.split(/\s+/);
    if (program === undefined || !ALLOWED_EDITORS.includes(basename(program))) {
      throw notAllowed(value);
    }
    return { program, args };
  }
  for (const program of ["paradux-editor", "editor", "sensible-editor", "vi", "nano"]) {
    if (installed(program)) return { program, args: [] };
  }
  throw new ParaduxError("missing-tool", "no text editor found", {
    hint: "set EDITOR (e.g. EDITOR=nano) or install one: apt-get install nano",
  });
}

/**
 * Runs the editor on `file` with the terminal attached; returns true when it exited with 0.
 * @throws ParaduxError when the editor cannot be started.
 */
export async function runEditor(editor: EditorCommand, file: string): Promise<boolean> {
  try {
    const r = await exec(editor.program, [...editor.args, file], {
      inheritStdio: true,
      check: false,
    });
    return r.code === 0;
  } catch (e) {
    if (e instanceof ParaduxError && e.kind === "missing-tool") {
      throw new ParaduxError("missing-tool", `cannot run the editor '${editor.program}'`, {
        hint: `install it, or set EDITOR to one of ${ALLOWED_EDITORS.join(", ")}`,
        cause: e,
      });
    }
    throw e;
  }
}
