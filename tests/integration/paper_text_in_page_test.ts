/**
 * Every word printed on a paper document lies inside its page: the PDFs are read back with
 * poppler's `pdftotext -bbox` (word boxes in points) and each box is checked against the page's
 * media box. The QR document's subtitle of a sharded backup used to run off the page; the steward
 * package (letter, command lines, codes, typed text) is checked on A4 and Letter too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { presetLayout } from "../../paper/layout.ts";
import { renderQrDocument } from "../../paper/pdf.ts";
import { initialDocuments } from "../../vault/documents.ts";
import { withRecoveryCard } from "../../stewards/recovery_card.ts";
import { newSecrets } from "../../vault/secrets.ts";
import { issueShares } from "../../stewards/shares.ts";
import { LETTER_COMMANDS, renderStewardPackage } from "../../stewards/steward_package.ts";

interface Word {
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  pageWidth: number;
  pageHeight: number;
}

/** The words of a PDF with their boxes and their page's size (pdftotext -bbox). */
async function wordsOf(pdf: Uint8Array): Promise<Word[]> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-bbox-" });
  try {
    const file = join(dir, "doc.pdf");
    await Deno.writeFile(file, pdf);
    const r = await new Deno.Command("pdftotext", { args: ["-bbox", file, "-"], stdout: "piped" })
      .output();
    assert.ok(r.success, "pdftotext -bbox");
    const html = new TextDecoder().decode(r.stdout);
    const words: Word[] = [];
    for (const page of html.split("<page ").slice(1)) {
      const size = page.match(/^width="([\d.]+)" height="([\d.]+)"/);
      assert.ok(size, "a page size");
      for (
        const m of page.matchAll(
          /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
        )
      ) {
        words.push({
          text: m[5]!,
          xMin: Number(m[1]),
          yMin: Number(m[2]),
          xMax: Number(m[3]),
          yMax: Number(m[4]),
          pageWidth: Number(size[1]),
          pageHeight: Number(size[2]),
        });
      }
    }
    return words;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("paper: a long QR document subtitle is wrapped inside the page (pdftotext -bbox)", async () => {
  const long = "Ethernity v1 paper backup. Scan every code, in any order; together with the " +
    "passphrase from any 2 of the 3 shard documents they give the files back.";
  const payloads = [new Uint8Array(200).fill(7)];
  for (const layout of [presetLayout("a4"), presetLayout("letter")]) {
    const pdf = await renderQrDocument({
      title: "QR document",
      lines: [long, "Keep this apart from the recovery document."],
      docIdHex: "0123456789abcdef",
      payloads,
      labels: ["Main 1 of 1"],
      layout,
    });
    const words = await wordsOf(pdf);
    const text = words.map((w) => w.text).join(" ");
    assert.match(
      text,
      /shard documents they give the files back\./,
      "the whole subtitle is printed",
    );
    for (const w of words) {
      assert.ok(
        w.xMin >= 0 && w.xMax <= w.pageWidth && w.yMin >= 0 && w.yMax <= w.pageHeight,
        `"${w.text}" at x ${w.xMin}..${w.xMax} on a page ${w.pageWidth} wide`,
      );
    }
  }
});

Deno.test("paper: every word of a steward package's letter and codes lies inside the page (pdftotext -bbox)", async () => {
  let docs = initialDocuments(await withRecoveryCard(await newSecrets(2), "Ada Lovelace"));
  docs = {
    ...docs,
    user: {
      name: "Ada Lovelace",
      email: "ada.lovelace@a-rather-long-domain-name.example.org",
      phone: "+44 20 7946 0000",
      address: "12 St James's Square, London SW1Y 4JH, United Kingdom",
      successor: { name: "Byron King", phone: "+44 20 7946 0999", email: "byron@example.org" },
    },
    stewards: {
      stewards: [
        { id: "ann", name: "Ann Smith", email: "ann@example.org", phone: "+44 7700 900001" },
        { id: "bob", name: "Bob Jones", address: "3 Mill Lane, Leeds" },
        { id: "cleo-with-a-long-id", name: "Cleo Park" },
      ],
    },
    "metadata-locations": {
      locations: [
        { name: "usb", url: "file:///media/ada/USB-STICK-WITH-A-LONG-LABEL/paradux/vault-copies" },
        {
          name: "cloud",
          url: "s3://ada-backups-bucket-with-a-long-name/paradux/vault",
          credentials: {
            accessKeyId: "A",
            secretAccessKey: "B",
            endpoint: "https://s3.example.net",
          },
        },
        { name: "nas", url: "rsync+ssh://ada@nas.home.lan:2222/srv/paradux/vault" },
      ],
    },
  };
  docs = (await issueShares(docs)).docs;
  for (const size of ["a4", "letter"] as const) {
    const pkg = await renderStewardPackage(
      docs,
      "cleo-with-a-long-id",
      { version: "0.1.0", now: new Date(0) },
      presetLayout(size),
    );
    const words = await wordsOf(pkg.pdf);
    const text = words.map((w) => w.text).join(" ");
    for (const c of LETTER_COMMANDS) assert.ok(text.includes(c), `${size}: prints ${c}`);
    assert.match(text, /Dear Cleo Park,/);
    assert.match(text, /Card signature/);
    assert.match(text, /cryptsetup and tar\./, `${size}: the letter's last paragraph`);
    for (const w of words) {
      assert.ok(
        w.xMin >= 0 && w.xMax <= w.pageWidth && w.yMin >= 0 && w.yMax <= w.pageHeight,
        `${size}: "${w.text}" at x ${w.xMin}..${w.xMax}, y ${w.yMin}..${w.yMax}`,
      );
    }
  }
});
