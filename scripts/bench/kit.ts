/// <reference lib="dom" />
/**
 * The recovery kit in a browser against the CLI on the same inputs: a 3-steward vault (k = 2),
 * two package PDFs rendered to PNG with pdftoppm and its export; the kit (Debian's chromium,
 * headless: open recovery-kit.html, upload the two PNGs and the export, wait until the documents
 * are shown) against `paradux recover ann.png bob.png --from export --extract DIR` (start-up
 * included in both). Needs chromium (scripts/install-deps.sh).
 * @module
 */
import { join } from "node:path";
import { type BenchRow, medianMs } from "./harness.ts";
import { launchBrowser } from "../../tests/helpers/browser.ts";
import { runCli } from "../../tests/e2e/cli.ts";
import { makeSandbox, paradux } from "../../tests/e2e/sandbox.ts";

const EDITOR = `#!/bin/sh
cp "$PARADUX_EDITOR_DIR/next.json" "$1"
`;

async function must(p: Promise<{ code: number; stderr: string }>, what: string): Promise<void> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr}`);
}

/** Kit vs CLI recovery of a 3-steward vault from two shares and an export. */
export async function benchKit(root: string): Promise<BenchRow[]> {
  const s = await makeSandbox("bench-kit", EDITOR);
  const b = await launchBrowser();
  try {
    const pass = ["--passphrase-file", s.passFile];
    await must(paradux(s, ["init", ...pass, "--min-stewards", "2", "--name", "Ada"]), "init");
    await Deno.writeTextFile(
      join(s.editorDir, "next.json"),
      JSON.stringify({
        stewards: ["ann", "bob", "cleo"].map((id) => ({ id, name: id })),
      }),
    );
    await must(paradux(s, ["edit-stewards", ...pass]), "edit-stewards");
    const pk = join(s.root, "pk");
    await must(paradux(s, ["export-steward-packages", "--out", pk, ...pass]), "packages");
    const exported = join(s.root, "vault-export.luks");
    await must(paradux(s, ["export-metadata", exported, ...pass]), "export");
    const kit = join(s.root, "recovery-kit.html");
    await must(runCli(["recovery-kit", "--out", kit], { root }), "recovery-kit");
    const scans: string[] = [];
    for (const id of ["ann", "bob"]) {
      const out = join(s.root, id);
      const r = await new Deno.Command("pdftoppm", {
        args: [
          "-r",
          "150",
          "-f",
          "1",
          "-l",
          "1",
          "-png",
          "-singlefile",
          join(pk, id, "package.pdf"),
          out,
        ],
      }).output();
      if (!r.success) throw new Error("pdftoppm failed");
      scans.push(`${out}.png`);
    }
    let n = 0;
    const cli = await medianMs(async () => {
      await must(
        runCli(["recover", ...scans, "--from", exported, "--extract", join(s.root, `x${n++}`)], {
          root,
        }),
        "recover",
      );
    }, 3);
    const inBrowser = await medianMs(async () => {
      const page = await b.open(`file://${kit}`);
      const shares = await page.$("#share-files");
      // deno-lint-ignore no-explicit-any
      await (shares as any).uploadFile(...scans);
      const exp = await page.$("#export-file");
      // deno-lint-ignore no-explicit-any
      await (exp as any).uploadFile(exported);
      await page.waitForFunction(() => {
        const state = document.querySelector("#vault-status")?.getAttribute("data-state");
        return state === "done" || state === "error";
      }, { timeout: 120_000 });
      const state = await page.$eval("#vault-status", (e) => e.getAttribute("data-state"));
      if (state !== "done") throw new Error("the kit did not recover the vault");
      await page.close();
    }, 3);
    if (b.requests.length > 0) throw new Error(`the kit made requests: ${b.requests.join(", ")}`);
    return [{
      name: "kit: 2 shares (PNG) + export -> documents",
      paradux: inBrowser,
      reference: cli,
      referenceName: "paradux recover --extract",
      unit: "ms",
      note: "chromium headless, page load included",
    }];
  } finally {
    await b.close();
    await Deno.remove(s.root, { recursive: true });
  }
}
