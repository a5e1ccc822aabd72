/**
 * `paradux status-metadata-locations`: show the vault's metadata-locations document.
 * @module
 */
import { statusCommand } from "./_status.ts";

/** The `status-metadata-locations` command. */
export const command = statusCommand("metadata-locations");
