/**
 * `paradux edit-settings`: edit the vault's settings document in your text editor.
 * @module
 */
import { editCommand } from "./_edit.ts";

/** The `edit-settings` command. */
export const command = editCommand("settings");
