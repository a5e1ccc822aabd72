/**
 * Hooks run after every successful vault change. First, explicitly, the unattended-run files
 * (job files and systemd units, vault/units.ts {@link refreshUnattended}); then any function
 * other features register here, in order, after the new vault file is in place. A failing hook
 * does not undo the change: its error reaches the caller, which reports it.
 * @module
 */
import type { Documents } from "./documents.ts";
import { refreshUnattended } from "./units.ts";

/** Called with the saved documents and the Paradux home directory. */
export type VaultHook = (docs: Documents, home: string) => Promise<void>;

/** The registered hooks, in call order. Features push onto this list. */
export const afterVaultChange: VaultHook[] = [];

/** Registers a hook (returns a function that removes it again, for tests). */
export function registerVaultHook(hook: VaultHook): () => void {
  afterVaultChange.push(hook);
  return () => {
    const i = afterVaultChange.indexOf(hook);
    if (i >= 0) afterVaultChange.splice(i, 1);
  };
}

/** Rewrites the job files and units, then runs every registered hook in order. */
export async function runVaultHooks(docs: Documents, home: string): Promise<void> {
  await refreshUnattended(docs, home);
  for (const hook of [...afterVaultChange]) await hook(docs, home);
}
