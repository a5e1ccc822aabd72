import assert from "node:assert/strict";
import { identifierFor, pluginFiles } from "../../../scripts/codegen.ts";

Deno.test("pluginFiles skips private, test and generated files", () => {
  assert.deepEqual(
    pluginFiles(["b.ts", "_command.ts", "a_test.ts", "registry.gen.ts", "a.ts", "x.md"]),
    ["a.ts", "b.ts"],
  );
});

Deno.test("identifierFor makes identifiers from file names", () => {
  assert.equal(identifierFor("edit_user.ts"), "edit_user");
  assert.equal(identifierFor("rsync+ssh.ts"), "rsync_ssh");
  assert.equal(identifierFor("3d.ts"), "_3d");
});
