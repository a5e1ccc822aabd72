/**
 * Editing one vault document in the user's editor: open the vault (holding its lock), write
 * the document to a 0600 file in a private directory, run the editor, check the result.
 *
 * - The file opens with a guide to the document as `//` comment lines (vault/document_guide.ts);
 *   `//` line comments are allowed anywhere outside strings and are not saved.
 * - The editor fails (`tool-failed`), or the file is unchanged: nothing changes.
 * - Invalid: the problems are shown (file, JSON path, line, column) and the editor re-opens on
 *   the user's text. On a terminal the user may abort instead; without one, after
 *   {@link MAX_ATTEMPTS} invalid attempts the command gives up with exit code "input".
 * - Valid: the whole vault is saved atomically, its job files and units are rewritten, then the vault
 *   export is published (unless settings.publishAfterEdit is false; a failure is reported and
 *   the edit stays saved).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { ALLOWED_EDITORS, resolveEditor, runEditor } from "../system/editor.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import { canPrompt, promptConfirm } from "../system/prompt.ts";
import { editorText } from "../vault/document_guide.ts";
import { type Documents, type EditableName, fileNameOf } from "../vault/documents.ts";
import { editIssues } from "../vault/edit_checks.ts";
import { documentsProblems } from "../vault/payload.ts";
import { checkDocumentText, type DocumentProblem, formatProblem } from "../vault/schema.ts";
import { saveVault, withVaultLock } from "../vault/vault.ts";
import { type CommandSpec, defineCommand, type Deps } from "./_command.ts";
import { afterVaultChange } from "./_publish.ts";
import { withIssuedShares } from "./_shares.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** How many invalid edits in a row are re-opened without a terminal before giving up. */
export const MAX_ATTEMPTS = 5;

/** What an edit did. */
export type EditOutcome = "saved" | "unchanged";

/**
 * The problems of an edited text (schema, rules between documents, then what the edited
 * document's protocols, frequencies and k say: vault/edit_checks.ts), or its value.
 */
export async function problemsOf(
  name: EditableName,
  text: string,
  docs: Documents,
): Promise<DocumentProblem[] | { value: Documents[EditableName] }> {
  const r = checkDocumentText(name, text, { comments: true });
  if (!r.ok) return r.problems;
  const next = { ...docs, [name]: r.value };
  const all = documentsProblems(next);
  if (all.length > 0) return all;
  const more = r.locate(await editIssues(name, next));
  return more.length > 0 ? more : { value: r.value };
}

/** Runs the whole edit of document `name`; returns what happened. */
export async function editDocument(
  name: EditableName,
  options: PassphraseOptions,
  deps: Deps,
): Promise<EditOutcome> {
  const { io, globals } = deps;
  const editor = resolveEditor((n) => Deno.env.get(n));
  return await withVaultLock(globals.home, async () => {
    const vault = await openHomeVault(options, deps);
    const original = editorText(name, vault.docs[name]);
    return await withPrivateDir(async (dir) => {
      const file = await dir.writeSecret(fileNameOf(name), original);
      for (let attempt = 1;; attempt++) {
        if (!(await runEditor(editor, file))) {
          throw new ParaduxError("tool-failed", `the editor failed; nothing was changed`, {
            hint: "check $VISUAL/$EDITOR, then run the command again",
          });
        }
        const text = await Deno.readTextFile(file);
        const result = await problemsOf(name, text, vault.docs);
        if (!Array.isArray(result)) {
          if (JSON.stringify(result.value) === JSON.stringify(vault.docs[name])) {
            io.err(`no changes to ${fileNameOf(name)}`);
            return "unchanged";
          }
          io.progress("saving the vault...");
          const next = await withIssuedShares(name, { ...vault.docs, [name]: result.value }, io);
          const saved = await saveVault(vault, next);
          io.progress("", true);
          io.err(`saved ${fileNameOf(name)}`);
          await afterVaultChange(saved, deps);
          return "saved";
        }
        io.err(`${fileNameOf(name)} has problems:`);
        for (const p of result) io.err(`  ${formatProblem(p)}`);
        const again = canPrompt()
          ? await promptConfirm("re-open the editor to fix them? (no: discard the edit)")
          : attempt < MAX_ATTEMPTS;
        if (!again) {
          throw new ParaduxError("input", `${fileNameOf(name)} is invalid; nothing was changed`, {
            hint: result.map(formatProblem).slice(0, 3).join("; "),
          });
        }
        io.err("re-opening the editor (your text is kept)");
      }
    });
  });
}

const WHAT: Readonly<Record<EditableName, string>> = {
  user: "your name and contact details",
  stewards: "the stewards (the friends who keep shares)",
  datasets: "the datasets, their sources, local copies and destinations",
  "metadata-locations": "where vault exports are published",
  settings: "settings (share capacity, publishing)",
};

/** The `edit-NAME` command for one document. */
export function editCommand(name: EditableName): CommandSpec<PassphraseOptions> {
  return defineCommand<PassphraseOptions>({
    name: `edit-${name}`,
    summary: `edit ${WHAT[name]} in your text editor`,
    description: `Opens ${fileNameOf(name)} from the vault in $VISUAL/$EDITOR (allowed: ` +
      `${ALLOWED_EDITORS.join(", ")}). An invalid document is shown with its problems and ` +
      "re-opened; an unchanged file or a failed editor changes nothing.",
    options: [PASSPHRASE_OPTION],
    async run(options, deps) {
      await editDocument(name, options, deps);
    },
  });
}
