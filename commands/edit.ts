/**
 * `paradux edit [DOCUMENT]`: a menu of the `edit-*` commands (on a terminal), or edit the named
 * document directly.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { canPrompt, promptSelect } from "../system/prompt.ts";
import { EDITABLE_DOCUMENTS, type EditableName } from "../vault/documents.ts";
import { defineCommand } from "./_command.ts";
import { editDocument } from "./_edit.ts";
import { PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `edit`. */
export interface EditOptions extends PassphraseOptions {
  /** The positional DOCUMENT. */
  document?: string;
}

function isEditable(name: string): name is EditableName {
  return (EDITABLE_DOCUMENTS as readonly string[]).includes(name);
}

/** The `edit` command. */
export const command = defineCommand<EditOptions>({
  name: "edit",
  summary: "choose a vault document and edit it",
  description: `DOCUMENT is one of ${EDITABLE_DOCUMENTS.join(", ")}; without it a menu asks.`,
  args: [{ name: "[document]", description: "the document to edit" }],
  options: [PASSPHRASE_OPTION],
  async run(options, deps) {
    let name = options.document;
    if (name === undefined) {
      if (!canPrompt()) {
        throw new ParaduxError("usage", "which document? there is no terminal for the menu", {
          hint: `name it: paradux edit ${EDITABLE_DOCUMENTS.join("|")}`,
        });
      }
      name = await promptSelect(
        "which document?",
        EDITABLE_DOCUMENTS.map((d) => ({ name: d, value: d })),
      );
    }
    if (!isEditable(name)) {
      throw new ParaduxError("usage", `unknown document '${name}'`, {
        hint: `choose one of ${EDITABLE_DOCUMENTS.join(", ")}`,
      });
    }
    await editDocument(name, options, deps);
  },
});
