/**
 * `paradux status-datasets`: show the vault's datasets document.
 * @module
 */
import { statusCommand } from "./_status.ts";

/** The `status-datasets` command. */
export const command = statusCommand("datasets");
