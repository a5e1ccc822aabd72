/**
 * What the drill needs from other features, gathered in one place: the share check (k stored
 * shares reconstruct the secret).
 * @module
 */
import type { DrillOptions } from "../vault/drill.ts";
import { secretFromStoredShares } from "../vault/drill_shares.ts";
import type { OpenedVault } from "../vault/vault.ts";

/** The drill options that come from the shares feature. */
export function drillDependencies(_vault: OpenedVault): Pick<DrillOptions, "shareCheck"> {
  return { shareCheck: secretFromStoredShares };
}
