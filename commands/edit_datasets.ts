/**
 * `paradux edit-datasets`: edit the vault's datasets document in your text editor.
 * @module
 */
import { editCommand } from "./_edit.ts";

/** The `edit-datasets` command. */
export const command = editCommand("datasets");
