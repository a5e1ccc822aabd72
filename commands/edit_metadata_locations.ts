/**
 * `paradux edit-metadata-locations`: edit the vault's metadata-locations document in your text editor.
 * @module
 */
import { editCommand } from "./_edit.ts";

/** The `edit-metadata-locations` command. */
export const command = editCommand("metadata-locations");
