/**
 * `paradux edit-stewards`: edit the vault's stewards document in your text editor.
 * @module
 */
import { editCommand } from "./_edit.ts";

/** The `edit-stewards` command. */
export const command = editCommand("stewards");
