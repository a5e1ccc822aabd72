/// <reference lib="dom" />
/**
 * The recovery kit in Firefox (Debian's firefox-esr, headless, WebDriver BiDi through
 * puppeteer-core), from file://, no network: a package PDF and a typed package text with a
 * typo, then the export, show the vault's documents. The Chromium test
 * (kit_browser_test.ts) covers every step; this one proves the second engine.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DOCUMENT_NAMES } from "../../vault/documents.ts";
import { framesPart } from "../../recovery/recovery.ts";
import { openVault } from "../../vault/vault.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { ROOT } from "./cli.ts";
import { makeSandbox, paradux, PASS } from "./sandbox.ts";

const ARTIFACTS = join(ROOT, "tests", "artifacts", "kit");

Deno.test("e2e kit in firefox: a package PDF, a typed share with a typo, the export", async () => {
  const s = await makeSandbox("kit-firefox");
  const b = await launchBrowser([], "firefox");
  try {
    const pass = ["--passphrase-file", s.passFile];
    let r = await paradux(s, ["init", ...pass, "--min-stewards", "2", "--name", "Ada"]);
    assert.equal(r.code, 0, r.stderr);
    await Deno.writeTextFile(
      join(s.editorDir, "next.json"),
      JSON.stringify({ stewards: ["ann", "bob", "cleo"].map((id) => ({ id, name: id })) }),
    );
    r = await paradux(s, ["edit-stewards", ...pass]);
    assert.equal(r.code, 0, r.stderr);
    const pk = join(s.root, "pk");
    r = await paradux(s, ["export-steward-packages", "--out", pk, ...pass]);
    assert.equal(r.code, 0, r.stderr);
    const exported = join(s.root, "vault-export.luks");
    r = await paradux(s, ["export-metadata", exported, ...pass]);
    assert.equal(r.code, 0, r.stderr);
    const kit = join(pk, "recovery-kit.html");
    const docs = (await openVault(s.home, new TextEncoder().encode(PASS))).docs;
    const all: Record<string, unknown> = {};
    for (const name of DOCUMENT_NAMES) all[name] = docs[name];

    const page = await b.open(`file://${kit}`, { width: 390, height: 844, mobile: true });
    const files = await page.$("#share-files");
    // deno-lint-ignore no-explicit-any
    await (files as any).uploadFile(join(pk, "ann", "package.pdf"));
    await page.waitForFunction(() => document.querySelectorAll("#shares-list > li").length >= 1);
    // bob's share typed, one character wrong in the first line of its SHARD FRAME section
    const lines = framesPart(await Deno.readTextFile(join(pk, "bob", "package.txt"))).split("\n");
    const at = lines.findIndex((l) => l === "SHARD FRAME") + 2;
    const alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";
    const ch = lines[at]![6]!;
    lines[at] = lines[at]!.slice(0, 6) + alphabet[(alphabet.indexOf(ch) + 1) % 32] +
      lines[at]!.slice(7);
    await page.$eval("#share-text", (e, t) => {
      (e as HTMLTextAreaElement).value = t as string;
    }, lines.join("\n"));
    await page.click("#add-text");
    await page.waitForFunction(() => document.querySelectorAll("#shares-list > li").length >= 2);
    const items = await page.$$eval(
      "#shares-list > li",
      (l) => l.map((e) => [e.getAttribute("data-state"), e.textContent ?? ""]),
    );
    assert.deepEqual(items.map((i) => i[0]), ["valid", "valid"], JSON.stringify(items));
    assert.match(items[1]![1]!, new RegExp(`typo repaired at line ${at + 1} char 7`));
    const exp = await page.$("#export-file");
    // deno-lint-ignore no-explicit-any
    await (exp as any).uploadFile(exported);
    await page.waitForFunction(() =>
      ["done", "error"].includes(
        document.querySelector("#vault-status")?.getAttribute("data-state") ?? "",
      )
    );
    const status = await page.$eval(
      "#vault-status",
      (e) => [e.getAttribute("data-state"), e.textContent],
    );
    assert.equal(status[0], "done", String(status[1]));
    const json = await page.$eval("#docs", (e) => (e as HTMLElement).dataset.json ?? "");
    assert.equal(json, JSON.stringify(all, null, 2) + "\n");
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "firefox-phone-documents.png"), fullPage: true });
    await page.close();
    assert.deepEqual(b.requests, [], "the kit made network requests");
    assert.deepEqual(b.errors, [], "errors in the page");
  } finally {
    await b.close();
    await Deno.remove(s.root, { recursive: true });
  }
});
