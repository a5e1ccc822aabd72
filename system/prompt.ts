/**
 * Terminal prompts (passwords, yes/no, a choice), drawn on stderr so stdout stays clean.
 * They must only be used when stdin is a terminal ({@link canPrompt}): @inquirer/prompts hangs
 * on a pipe. Ctrl-C becomes `ParaduxError("interrupted")`.
 * @module
 */
import process from "node:process";
import { confirm, input, password, select } from "@inquirer/prompts";
import { ParaduxError } from "../errors.ts";

/** True when the user can be asked something (stdin and stderr are terminals). */
export function canPrompt(): boolean {
  return Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
}

const context = { output: process.stderr };

async function asking<T>(fn: () => Promise<T>): Promise<T> {
  if (!canPrompt()) {
    throw new ParaduxError("usage", "cannot ask a question: not running on a terminal", {
      hint: "pass the answer with an option (see --help)",
    });
  }
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error && e.name === "ExitPromptError") {
      throw new ParaduxError("interrupted", "cancelled");
    }
    throw e;
  }
}

/** Asks for a secret without echoing it. */
export function promptPassword(message: string): Promise<string> {
  return asking(() => password({ message, mask: "*" }, context));
}

/** Asks a yes/no question. */
export function promptConfirm(message: string, defaultYes = true): Promise<boolean> {
  return asking(() => confirm({ message, default: defaultYes }, context));
}

/** Asks to pick one of `choices`. */
export function promptSelect<T extends string>(
  message: string,
  choices: readonly { name: string; value: T }[],
): Promise<T> {
  return asking(() => select<T>({ message, choices: [...choices] }, context));
}

/** Asks for a line of text; `defaultValue` is taken when the user just presses Enter. */
export function promptText(message: string, defaultValue?: string): Promise<string> {
  return asking(() =>
    input({ message, ...(defaultValue === undefined ? {} : { default: defaultValue }) }, context)
  );
}
