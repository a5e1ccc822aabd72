/**
 * `paradux status-stewards`: show the vault's stewards document.
 * @module
 */
import { statusCommand } from "./_status.ts";

/** The `status-stewards` command. */
export const command = statusCommand("stewards");
