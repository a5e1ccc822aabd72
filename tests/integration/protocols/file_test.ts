import { join } from "node:path";
import { protocol } from "../../../protocols/file.ts";
import { runConformance } from "./conformance.ts";

async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", "--sparse=always", `${from}/.`, to] })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

runConformance("file", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-file-dest-" });
  const root = join(base, "backups of ünïcode 'home'");
  return {
    location: { url: `file://${encodeURI(root)}` },
    cleanup: () => Deno.remove(base, { recursive: true }),
  };
}, {
  protocol,
  unreachable: () => ({ url: "file:///nonexistent-paradux-drive/not/mounted" }),
  invalid: [
    { url: "file:relative/path" },
    { url: "file://otherhost/x" },
    { url: "file:///x?y=1" },
    { url: "s3://bucket/x" },
    { url: "file:///tmp/x", credentials: { password: "nope" } },
  ],
  makeSource: async (tree) => {
    const base = await Deno.makeTempDir({ prefix: "paradux-file-src-" });
    const root = join(base, "source with spaces");
    await Deno.mkdir(root);
    await copyTree(tree, root);
    return {
      location: { url: `file://${encodeURI(root)}` },
      cleanup: () => Deno.remove(base, { recursive: true }),
    };
  },
  checkSparse: true,
});
