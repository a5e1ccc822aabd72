/**
 * `paradux status-user`: show the vault's user document.
 * @module
 */
import { statusCommand } from "./_status.ts";

/** The `status-user` command. */
export const command = statusCommand("user");
