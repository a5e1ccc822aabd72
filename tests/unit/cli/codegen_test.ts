import assert from "node:assert/strict";
import { identifierFor, pluginFiles } from "../../../scripts/codegen.ts";

Deno.test("pluginFiles: files that declare the export, not private, test or generated ones", () => {
  const plugin = "export const protocol: ProtocolSpec = {};\n";
  const files = [
    { name: "b.ts", text: plugin },
    { name: "_helper.ts", text: plugin },
    { name: "a_test.ts", text: plugin },
    { name: "registry.gen.ts", text: plugin },
    { name: "a.ts", text: "// a protocol\n" + plugin },
    { name: "x.md", text: plugin },
    { name: "protocol.ts", text: "export interface ProtocolSpec {}\n" },
    { name: "lookup.ts", text: "export const protocols = [];\nexport const protocolFor = 1;\n" },
  ];
  assert.deepEqual(pluginFiles(files, "protocol"), ["a.ts", "b.ts"]);
  assert.deepEqual(pluginFiles(files, "command"), []);
});

Deno.test("identifierFor makes identifiers from file names", () => {
  assert.equal(identifierFor("edit_user.ts"), "edit_user");
  assert.equal(identifierFor("rsync+ssh.ts"), "rsync_ssh");
  assert.equal(identifierFor("3d.ts"), "_3d");
});
