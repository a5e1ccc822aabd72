/// <reference lib="dom" />
/**
 * The recovery kit (recovery-kit.html, as `paradux recovery-kit` writes it) in a real browser:
 * Debian's chromium, headless, the page from file://, any network request fails the test. A
 * vault, its steward packages and an export are made with the real CLI; package PDFs are
 * rendered to PNG with pdftoppm and uploaded like photos. Screenshots of each step at desktop
 * and phone width go to tests/artifacts/kit/ (ignored by git) for a person to look at.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { encodeFrame } from "../../paper/format/frame.ts";
import { formatFallbackText } from "../../paper/format/fallback_text.ts";
import { decodeShardPayload } from "../../paper/format/shard.ts";
import { framesOfInput } from "../../paper/inputs.ts";
import { DOCUMENT_NAMES } from "../../vault/documents.ts";
import { framesPart } from "../../recovery/recovery.ts";
import { openVault } from "../../vault/vault.ts";
import {
  allowDownloads,
  downloaded,
  type KitBrowser,
  launchBrowser,
  y4mOf,
} from "../helpers/browser.ts";
import { rasterisePdfRects } from "../../kit/pdf_pages.ts";
import { ROOT, runCli } from "./cli.ts";
import { makeSandbox, paradux, PASS, type Sandbox } from "./sandbox.ts";

const ARTIFACTS = join(ROOT, "tests", "artifacts", "kit");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844, mobile: true };

const EDITOR = `#!/bin/sh
set -e
d="$PARADUX_EDITOR_DIR"
n=$(cat "$d/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$d/count"
cp "$d/edit-$n.json" "$1"
`;

interface World {
  s: Sandbox;
  kit: string;
  exportPath: string;
  /** Current packages (set after the rotation). */
  pk: string;
  /** A package of the recovery secret before the rotation. */
  oldPackage: string;
  /** JSON of the vault's documents, as the kit's download shows them. */
  docsJson: string;
}

let edits = 0;
async function edit(s: Sandbox, doc: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(join(s.editorDir, `edit-${++edits}.json`), JSON.stringify(value));
  const r = await paradux(s, [`edit-${doc}`, "--passphrase-file", s.passFile]);
  assert.equal(r.code, 0, r.stderr);
}

async function ok(s: Sandbox, args: string[]): Promise<string> {
  const r = await paradux(s, [...args, "--passphrase-file", s.passFile]);
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function png(pdf: string, out: string, page = 1): Promise<string> {
  const p = await new Deno.Command("pdftoppm", {
    args: ["-r", "150", "-f", String(page), "-l", String(page), "-png", "-singlefile", pdf, out],
  }).output();
  assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
  return `${out}.png`;
}

/** The 1-based page of a package PDF that holds its codes (it comes after the letter). */
async function codesPage(pdf: string): Promise<number> {
  const out = await new Deno.Command("pdftotext", { args: [pdf, "-"], stdout: "piped" }).output();
  const pages = new TextDecoder().decode(out.stdout).split("\f");
  const page = pages.findIndex((p) => p.includes("Card signature")) + 1;
  assert.ok(page > 1, `${pdf}: the codes come after the letter`);
  return page;
}

async function packagePng(world: World, id: string): Promise<string> {
  const pdf = join(world.pk, id, "package.pdf");
  return await png(pdf, join(world.s.root, id), await codesPage(pdf));
}

async function makeWorld(): Promise<World> {
  const s = await makeSandbox("kit", EDITOR);
  let r = await paradux(s, [
    "init",
    "--passphrase-file",
    s.passFile,
    "--min-stewards",
    "2",
    "--name",
    "Ada Example",
  ]);
  assert.equal(r.code, 0, r.stderr);
  await edit(s, "user", { name: "Ada Example", email: "ada@example.org", phone: "+1 555 0100" });
  await edit(s, "stewards", {
    stewards: [
      { id: "ann", name: "Ann Smith", email: "ann@example.org" },
      { id: "bob", name: "Bob Jones", phone: "+44 7700 900001" },
      { id: "cleo", name: "Cleo Park" },
    ],
  });
  const meta = join(s.root, "meta");
  await edit(s, "metadata-locations", { locations: [{ name: "usb", url: `file://${meta}` }] });
  await edit(s, "datasets", {
    datasets: [{
      name: "home",
      source: { url: `file://${join(s.root, "src")}` },
      localCopy: join(s.root, "copy"),
      destinations: [
        { name: "disk", url: `file://${join(s.root, "dest")}`, frequency: "daily", keep: 7 },
        {
          name: "offsite",
          url: `restic:${join(s.root, "restic")}`,
          frequency: "weekly",
          credentials: { password: "correct horse battery staple" },
        },
      ],
    }],
  });
  const old = join(s.root, "pk-old");
  await ok(s, ["export-steward-packages", "--out", old]);
  const r2 = await paradux(s, ["change-secrets", "--recovery", "--passphrase-file", s.passFile]);
  assert.equal(r2.code, 0, r2.stderr);
  const pk = join(s.root, "pk");
  await ok(s, ["export-steward-packages", "--out", pk]);
  const exportPath = join(s.root, "vault-export.luks");
  await ok(s, ["export-metadata", exportPath]);
  await ok(s, ["print-metadata", "--out", join(s.root, "paper-copy")]);
  const kit = join(s.root, "recovery-kit.html");
  r = await runCli(["recovery-kit", "--out", kit], { env: s.env });
  assert.equal(r.code, 0, r.stderr);
  const docs = (await openVault(s.home, new TextEncoder().encode(PASS))).docs;
  const all: Record<string, unknown> = {};
  for (const name of DOCUMENT_NAMES) all[name] = docs[name];
  return {
    s,
    kit,
    exportPath,
    pk,
    oldPackage: join(old, "ann", "package.txt"),
    docsJson: JSON.stringify(all, null, 2) + "\n",
  };
}

async function shot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({
    path: join(ARTIFACTS, `${name}.png`) as `${string}.png`,
    fullPage: true,
  });
}

/** Uploads files to a file input and waits until the list shows `count` items. */
async function upload(page: Page, input: string, list: string, files: string[], count: number) {
  const el = await page.$(input);
  assert.ok(el, `no ${input}`);
  // deno-lint-ignore no-explicit-any
  await (el as any).uploadFile(...files);
  await page.waitForFunction(
    (sel: string, n: number) => document.querySelectorAll(`${sel} > li`).length >= n,
    {},
    list,
    count,
  );
}

async function typeShare(page: Page, text: string, count: number): Promise<void> {
  await page.$eval("#share-text", (e, t) => {
    (e as HTMLTextAreaElement).value = t as string;
  }, text);
  await page.click("#add-text");
  await page.waitForFunction(
    (n: number) => document.querySelectorAll("#shares-list > li").length >= n,
    {},
    count,
  );
}

async function text(page: Page, sel: string): Promise<string> {
  return await page.$eval(sel, (e) => e.textContent ?? "");
}

async function states(page: Page): Promise<string[]> {
  return await page.$$eval(
    "#shares-list > li",
    (l) => l.map((e) => e.getAttribute("data-state") ?? ""),
  );
}

async function waitState(page: Page, sel: string, state: string): Promise<void> {
  await page.waitForFunction(
    (s: string, want: string) => {
      const got = document.querySelector(s)?.getAttribute("data-state");
      return got === want || got === "error" || (want !== "done" && got === "done");
    },
    {},
    sel,
    state,
  );
  const got = await page.$eval(sel, (e) => [e.getAttribute("data-state"), e.textContent]);
  assert.equal(got[0], state, String(got[1]));
}

/** Text with one z-base-32 character changed in the first line of the SHARD FRAME section. */
function withTypo(letter: string): { text: string; line: number } {
  const lines = framesPart(letter).split("\n");
  const at = lines.findIndex((l) => l === "SHARD FRAME") + 2;
  const alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";
  const line = lines[at]!;
  const ch = line[6]!;
  lines[at] = line.slice(0, 6) + alphabet[(alphabet.indexOf(ch) + 1) % 32] + line.slice(7);
  return { text: lines.join("\n"), line: at + 1 };
}

/** A share whose share bytes were changed and whose signature was kept. */
function tampered(letter: string): string {
  const key = framesOfInput(framesPart(letter), 1).find((f) => f.frame.type === "key")!;
  const data = key.frame.data.slice();
  const share = decodeShardPayload(data).share;
  let at = -1;
  outer: for (let i = 0; i + share.length <= data.length; i++) {
    for (let j = 0; j < share.length; j++) if (data[i + j] !== share[j]) continue outer;
    at = i;
    break;
  }
  data[at + 3]! ^= 0x55;
  const frame = encodeFrame({ type: "key", docId: key.frame.docId, index: 0, total: 1, data });
  return formatFallbackText([{ kind: "key", frame }]);
}

Deno.test("e2e kit in chromium: shares, export, typos, refusals, mnemonic, paper backup", async (t) => {
  const world = await makeWorld();
  const b: KitBrowser = await launchBrowser();
  const url = `file://${world.kit}`;
  const letter = (id: string) => Deno.readTextFile(join(world.pk, id, "package.txt"));
  try {
    await t.step("two package PDF renders and the export: the vault's documents", async () => {
      const scans = [
        await packagePng(world, "ann"),
        await packagePng(world, "bob"),
      ];
      for (const [name, vp] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
        const page = await b.open(url, vp);
        await shot(page, `${name}-0-start`);
        await upload(page, "#share-files", "#shares-list", scans.slice(0, 1), 1);
        assert.match(await text(page, "#shares-summary"), /1 of 2 shares: add 1 more/);
        await shot(page, `${name}-1-one-share`);
        await upload(page, "#share-files", "#shares-list", scans.slice(1), 2);
        assert.deepEqual(await states(page), ["valid", "valid"]);
        assert.match(await text(page, "#shares-summary"), /2 of 2 shares: enough/);
        await waitState(page, "#vault-status", "waiting");
        await shot(page, `${name}-2-shares`);
        const exp = await page.$("#export-file");
        // deno-lint-ignore no-explicit-any
        await (exp as any).uploadFile(world.exportPath);
        await waitState(page, "#vault-status", "done");
        const json = await page.$eval("#docs", (e) => (e as HTMLElement).dataset.json ?? "");
        assert.equal(json, world.docsJson);
        const shown = await text(page, "#docs");
        for (const want of ["Ada Example", "ada@example.org", "correct horse battery staple"]) {
          assert.ok(shown.includes(want), `${want} not shown`);
        }
        assert.ok(shown.includes("Cleo Park"));
        assert.ok(shown.includes(`file://${join(world.s.root, "meta")}`));
        await shot(page, `${name}-3-documents`);
        await page.close();
      }
    });

    await t.step("a typed share with a typo is repaired and named; a package PDF", async () => {
      const page = await b.open(url, DESKTOP);
      const typo = withTypo(await letter("cleo"));
      await typeShare(page, typo.text, 1);
      const li = await text(page, "#shares-list > li");
      assert.match(li, new RegExp(`typo repaired at line ${typo.line} char 7`), li);
      assert.deepEqual(await states(page), ["valid"]);
      // a package PDF as it is (no pdftoppm in a browser: kit/pdf_pages.ts draws its codes)
      await upload(page, "#share-files", "#shares-list", [join(world.pk, "ann", "package.pdf")], 2);
      assert.deepEqual(await states(page), ["valid", "valid"]);
      const exp = await page.$("#export-file");
      // deno-lint-ignore no-explicit-any
      await (exp as any).uploadFile(world.exportPath);
      await waitState(page, "#vault-status", "done");
      await shot(page, "desktop-4-typo-repaired");
      await page.close();
    });

    await t.step("forged, other set, duplicate and too few each say so", async () => {
      const page = await b.open(url, DESKTOP);
      await typeShare(page, tampered(await letter("bob")), 1);
      await typeShare(page, await Deno.readTextFile(world.oldPackage), 2);
      await typeShare(page, await letter("ann"), 3);
      await typeShare(page, await letter("ann"), 4);
      assert.deepEqual(await states(page), ["forged", "other-set", "valid", "duplicate"]);
      const items = await page.$$eval("#shares-list > li", (l) => l.map((e) => e.textContent));
      assert.match(items[0]!, /signature does not match: forged or damaged/);
      assert.match(items[1]!, /another recovery secret/);
      assert.match(items[3]!, /counts once/);
      assert.match(await text(page, "#shares-summary"), /1 of 2 shares: add 1 more/);
      await waitState(page, "#vault-status", "waiting");
      await shot(page, "desktop-5-refusals");
      // the README's picture (docs/kit.jpg is a copy of it)
      const step = await page.$("#step-shares");
      await step!.screenshot({ path: join(ARTIFACTS, "readme.jpg"), type: "jpeg", quality: 70 });
      await page.close();
    });

    await t.step("the paper copy of the metadata in place of the export", async () => {
      const page = await b.open(url, DESKTOP);
      await typeShare(page, await letter("bob"), 1);
      await typeShare(page, await letter("cleo"), 2);
      const exp = await page.$("#export-file");
      // deno-lint-ignore no-explicit-any
      await (exp as any).uploadFile(join(world.s.root, "paper-copy", "metadata-paper.txt"));
      await waitState(page, "#vault-status", "done");
      assert.match(await text(page, "#export-summary"), /paper copy of the metadata/);
      const json = await page.$eval("#docs", (e) => (e as HTMLElement).dataset.json ?? "");
      assert.equal(json, world.docsJson);
      await page.close();
    });

    await t.step("the 24 words alone; the zip holds what recover --extract writes", async () => {
      const page = await b.open(url, PHONE);
      const mnemonic = JSON.parse(world.docsJson).secrets.recoveryMnemonic as string;
      await typeShare(page, mnemonic, 1);
      assert.deepEqual(await states(page), ["mnemonic"]);
      const exp = await page.$("#export-file");
      // deno-lint-ignore no-explicit-any
      await (exp as any).uploadFile(world.exportPath);
      await waitState(page, "#vault-status", "done");
      const downloads = join(world.s.root, "zip-downloads");
      await Deno.mkdir(downloads);
      await allowDownloads(page, downloads);
      const zipName = await page.$eval("#download-zip", (e) => e.getAttribute("download") ?? "");
      await page.click("#download-zip");
      const zip = await downloaded(downloads, zipName);
      await Deno.writeFile(join(downloads, "docs.zip"), zip);
      const unzipped = join(world.s.root, "unzipped");
      await Deno.mkdir(unzipped);
      const x = await new Deno.Command("bsdtar", {
        args: ["-xf", join(downloads, "docs.zip"), "-C", unzipped],
      }).output();
      assert.equal(x.code, 0, new TextDecoder().decode(x.stderr));
      const words = join(world.s.root, "words.txt");
      await Deno.writeTextFile(words, mnemonic + "\n");
      const extracted = join(world.s.root, "extracted");
      const r = await runCli(
        ["recover", "--secret-file", words, "--from", world.exportPath, "--extract", extracted],
        { env: world.s.env },
      );
      assert.equal(r.code, 0, r.stderr);
      const names = (d: string) => [...Deno.readDirSync(d)].map((e) => e.name).sort();
      assert.deepEqual(names(unzipped), names(extracted));
      for (const n of names(extracted)) {
        assert.deepEqual(
          await Deno.readFile(join(unzipped, n)),
          await Deno.readFile(join(extracted, n)),
          n,
        );
      }
      await shot(page, "phone-4-mnemonic-documents");
      await page.close();
    });

    await t.step(
      "a 2-of-3 paper backup comes back byte-identical through the download",
      async () => {
        const dir = join(world.s.root, "paper-in");
        await Deno.mkdir(dir);
        const files = {
          "notes.txt": "dear survivor\n",
          "key.bin": crypto.getRandomValues(new Uint8Array(700)),
        };
        for (const [n, v] of Object.entries(files)) {
          await (typeof v === "string"
            ? Deno.writeTextFile(join(dir, n), v)
            : Deno.writeFile(join(dir, n), v));
        }
        const out = join(world.s.root, "paper-out");
        const r = await runCli(
          [
            "paper",
            "backup",
            "--shards",
            "2/3",
            "-o",
            out,
            join(dir, "notes.txt"),
            join(dir, "key.bin"),
          ],
          { env: world.s.env, cheapKdf: true },
        );
        assert.equal(r.code, 0, r.stderr);
        const [backup] = [...Deno.readDirSync(out)].map((e) => join(out, e.name));
        const names = [...Deno.readDirSync(backup!)].map((e) => e.name).sort();
        const shards = names.filter((n) => /^shard-.*\.pdf$/.test(n)).slice(0, 2);
        const images = [await png(join(backup!, "qr_document.pdf"), join(world.s.root, "qr"))];
        // one shard as a page render, the other as its PDF
        images.push(await png(join(backup!, shards[0]!), join(world.s.root, "shard0")));
        images.push(join(backup!, shards[1]!));
        const page = await b.open(url, DESKTOP);
        await page.click("#tab-paper");
        await upload(page, "#paper-files", "#paper-list", images, images.length);
        await shot(page, "desktop-6-paper-pages");
        await page.click("#paper-recover");
        await waitState(page, "#paper-status", "done");
        await shot(page, "desktop-7-paper-files");
        const downloads = join(world.s.root, "downloads");
        await Deno.mkdir(downloads);
        await allowDownloads(page, downloads);
        for (const [n, v] of Object.entries(files)) {
          await page.click(`#paper-files-out a[data-path$="${n}"]`);
          const got = await downloaded(downloads, n);
          assert.deepEqual(got, typeof v === "string" ? new TextEncoder().encode(v) : v);
        }
        await page.close();
      },
    );

    await t.step("the camera (chromium's fake camera playing a package page)", async () => {
      const bobPdf = join(world.pk, "bob", "package.pdf");
      const pageImage = (await rasterisePdfRects(await Deno.readFile(bobPdf), 150))[
        await codesPage(bobPdf) - 1
      ];
      const video = join(world.s.root, "camera.y4m");
      await Deno.writeFile(video, y4mOf(pageImage!));
      const cam = await launchBrowser([
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        `--use-file-for-fake-video-capture=${video}`,
      ]);
      try {
        const page = await cam.open(url, DESKTOP);
        await page.click("#camera-start");
        await page.waitForFunction(() => document.querySelectorAll("#shares-list > li").length > 0);
        assert.deepEqual(await states(page), ["valid"]);
        assert.match(await text(page, "#shares-list > li"), /camera scan 1: share 2: valid/);
        await shot(page, "desktop-8-camera");
        await page.click("#camera-stop");
        await page.close();
        assert.deepEqual(cam.requests, [], "the kit made network requests");
        assert.deepEqual(cam.errors, [], "errors in the page");
      } finally {
        await cam.close();
      }
    });

    assert.deepEqual(b.requests, [], "the kit made network requests");
    assert.deepEqual(b.errors, [], "errors in the page");
  } finally {
    await b.close();
    await Deno.remove(world.s.root, { recursive: true });
  }
});
