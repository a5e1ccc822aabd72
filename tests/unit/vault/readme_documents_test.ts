/**
 * The README's "Vault documents" examples are valid documents (schema, rules between
 * documents, and the edit checks: protocols, frequencies, k) and are the editor's guide examples.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { editIssues } from "../../../vault/edit_checks.ts";
import { editorText, GUIDES } from "../../../vault/document_guide.ts";
import { EDITABLE_DOCUMENTS, initialDocuments } from "../../../vault/documents.ts";
import { documentsProblems } from "../../../vault/payload.ts";
import { checkDocumentText, formatProblem } from "../../../vault/schema.ts";
import { newSecrets } from "../../../vault/secrets.ts";

const README = fileURLToPath(new URL("../../../README.md", import.meta.url));

/** `<!-- document:NAME -->` followed by a json code block, for each NAME in the README. */
function readmeExamples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/<!-- document:([a-z-]+) -->\s*```json\n([\s\S]*?)```/g)) {
    assert.ok(!out.has(m[1]!), `two README examples of ${m[1]}`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

Deno.test("readme: every editable document has an example that passes an edit's validation", async () => {
  const examples = readmeExamples(await Deno.readTextFile(README));
  assert.deepEqual([...examples.keys()].sort(), [...EDITABLE_DOCUMENTS].sort());
  const docs = initialDocuments(await newSecrets(2));
  for (const name of EDITABLE_DOCUMENTS) {
    const r = checkDocumentText(name, examples.get(name)!);
    assert.ok(r.ok, `${name}: ${r.ok ? "" : r.problems.map(formatProblem).join("; ")}`);
    const next = { ...docs, [name]: r.value };
    assert.deepEqual(documentsProblems(next).map(formatProblem), [], name);
    assert.deepEqual(r.locate(await editIssues(name, next)).map(formatProblem), [], name);
    assert.deepEqual(r.value, GUIDES[name].example, `${name}: README = the editor's guide`);
  }
});

Deno.test("readme: the editor's commented template parses to the document it shows", async () => {
  const docs = initialDocuments(await newSecrets(2));
  for (const name of EDITABLE_DOCUMENTS) {
    const text = editorText(name, docs[name]);
    assert.match(text, /^\/\/ [a-z-]+\.json: /);
    assert.match(text, /\/\/ Example:\n\/\/ {3}\{/);
    const r = checkDocumentText(name, text, { comments: true });
    assert.ok(r.ok, name);
    assert.deepEqual(r.value, docs[name]);
    assert.equal(checkDocumentText(name, text).ok, false, "comments only where allowed");
    // the example, uncommented, is a valid document of its own
    const lines = text.split("\n");
    const after = lines.slice(lines.indexOf("// Example:") + 1);
    const example = after.slice(0, after.findIndex((l) => !l.startsWith("//")))
      .map((l) => l.slice(5)).join("\n");
    assert.deepEqual(JSON.parse(example), GUIDES[name].example, name);
  }
});
