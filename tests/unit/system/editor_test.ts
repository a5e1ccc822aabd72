import assert from "node:assert/strict";
import { resolveEditor } from "../../../system/editor.ts";
import { isUserError } from "../../../errors.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("editor: VISUAL, then EDITOR, split on spaces, only allowed programs", () => {
  const none = () => false;
  const table: [Record<string, string>, { program: string; args: string[] }][] = [
    [{ EDITOR: "nano" }, { program: "nano", args: [] }],
    [{ VISUAL: "vim", EDITOR: "nano" }, { program: "vim", args: [] }],
    [{ VISUAL: " ", EDITOR: "vi -n" }, { program: "vi", args: ["-n"] }],
    [{ EDITOR: "/usr/bin/vim  -u NONE" }, { program: "/usr/bin/vim", args: ["-u", "NONE"] }],
    [{ EDITOR: "paradux-editor" }, { program: "paradux-editor", args: [] }],
  ];
  for (const [vars, want] of table) assert.deepEqual(resolveEditor(env(vars), none), want);
  for (const bad of ["emacs", "code --wait", "sh -c vi", "/tmp/vim-but-not/evil"]) {
    assert.throws(
      () => resolveEditor(env({ EDITOR: bad }), none),
      (e) => isUserError(e, "usage") && /paradux-editor/.test(e.hint ?? ""),
      bad,
    );
  }
});

Deno.test("editor: without VISUAL/EDITOR the first installed fallback is used", () => {
  assert.deepEqual(resolveEditor(env({}), (p) => p === "nano" || p === "vi"), {
    program: "vi",
    args: [],
  });
  assert.deepEqual(resolveEditor(env({}), (p) => p === "editor"), { program: "editor", args: [] });
  assert.throws(() => resolveEditor(env({}), () => false), (e) => isUserError(e, "missing-tool"));
});
