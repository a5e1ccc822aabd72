/**
 * The `status-NAME` commands: show one vault document. Credentials (and passwords inside URLs)
 * are masked unless `--show-credentials` is given, so a status output can be pasted safely.
 * @module
 */
import type { EditableName } from "../vault/documents.ts";
import { type CommandSpec, defineCommand } from "./_command.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of the status commands. */
export interface StatusOptions extends PassphraseOptions {
  /** `--show-credentials`. */
  showCredentials?: boolean;
}

/** The `--show-credentials` option. */
export const SHOW_CREDENTIALS_OPTION = {
  flags: "--show-credentials",
  description: "show credentials instead of masking them",
};

/** The mask shown in place of a secret. */
export const MASK = "********";

/** A URL with any password in its user-info part masked. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, `$1:${MASK}@`);
}

/** A deep copy of a document with every `credentials` value and URL password masked. */
export function maskCredentials(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskCredentials);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "credentials" && typeof v === "object" && v !== null) {
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, MASK]));
    } else if (key === "url" && typeof v === "string") {
      out[key] = maskUrl(v);
    } else {
      out[key] = maskCredentials(v);
    }
  }
  return out;
}

/** The `status-NAME` command for one user-edited document. */
export function statusCommand(name: EditableName): CommandSpec<StatusOptions> {
  return defineCommand<StatusOptions>({
    name: `status-${name}`,
    summary: `show the vault's ${name} document`,
    description: "Prints the document as JSON. Credentials are masked unless --show-credentials.",
    options: [PASSPHRASE_OPTION, SHOW_CREDENTIALS_OPTION],
    json: true,
    async run(options, deps) {
      const vault = await openHomeVault(options, deps);
      const doc = options.showCredentials === true
        ? vault.docs[name]
        : maskCredentials(vault.docs[name]);
      if (deps.globals.json) deps.io.json(doc);
      else deps.io.out(JSON.stringify(doc, null, 2));
    },
  });
}
