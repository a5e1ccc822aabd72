/**
 * `paradux edit-user`: edit the vault's user document in your text editor.
 * @module
 */
import { editCommand } from "./_edit.ts";

/** The `edit-user` command. */
export const command = editCommand("user");
