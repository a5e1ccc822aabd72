/**
 * Printed documents round-trip through real tools: pdf-lib renders, poppler's pdftoppm
 * rasterises, zxing-wasm reads. Also reads Ethernity v1.1.0's own golden PDFs.
 * Needs Debian poppler-utils (pdftoppm, pdftotext).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isUserError } from "../../errors.ts";
import { type Layout, presetLayout, withEcc } from "../../paper/layout.ts";
import { renderQrDocument, renderTextDocument } from "../../paper/pdf.ts";
import { ECC_LEVELS } from "../../paper/qr.ts";
import { loadZxing, scanFile, scanFileReport } from "../../paper/scan.ts";
import { readBarcodes } from "zxing-wasm/reader";

const fixtures = new URL("../fixtures/ethernity-pdf/", import.meta.url).pathname;

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPayloads(seed: number, maxFrames: number): Uint8Array[] {
  const rand = prng(seed);
  const count = 1 + Math.floor(rand() * maxFrames);
  return Array.from({ length: count }, (_, i) => {
    const length = i === 0 ? 1 : 1 + Math.floor(rand() * 1000);
    const bytes = Uint8Array.from({ length }, () => Math.floor(rand() * 256));
    if (i === 1) bytes.fill(0x00);
    if (i === 2) bytes.fill(0xff);
    if (length > 2) [bytes[0], bytes[length - 1]] = [0x00, 0xff];
    return bytes;
  });
}

/** Reads Ethernity's golden payload file: "EQPB", version 1, u32 count, (u32 len, bytes)*. */
async function readPayloadsBin(path: string): Promise<Uint8Array[]> {
  const data = await Deno.readFile(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  assert.equal(new TextDecoder().decode(data.subarray(0, 4)), "EQPB");
  assert.equal(data[4], 1);
  const out: Uint8Array[] = [];
  let at = 9;
  for (let i = view.getUint32(5); i > 0; i--) {
    const length = view.getUint32(at);
    out.push(data.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  assert.equal(at, data.length);
  return out;
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-paper-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  assert.ok(out.success, `${program} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

const configs: Array<[string, Layout]> = [];
for (const size of ["a4", "letter"] as const) {
  for (const ecc of ECC_LEVELS) configs.push([`${size} ${ecc}`, withEcc(presetLayout(size), ecc)]);
}

Deno.test("random binary payloads -> QR document -> pdftoppm 150 dpi -> scan: same payloads", async (t) => {
  await withTemp(async (dir) => {
    for (const [i, [name, layout]] of configs.entries()) {
      const seed = 1000 + i;
      await t.step(`${name} (seed ${seed})`, async () => {
        const payloads = randomPayloads(seed, i % 2 === 0 ? 40 : 12);
        const pdf = await renderQrDocument({
          title: "QR Document",
          lines: ["Scan every code on every page, in any order."],
          docIdHex: "00ff00ff00ff00ff",
          payloads,
          layout,
        });
        const path = join(dir, `qr-${i}.pdf`);
        await Deno.writeFile(path, pdf);
        const scanned = await scanFile(path, { dpi: 150 });
        assert.equal(scanned.length, payloads.length);
        scanned.forEach((got, k) => assert.deepEqual(got, payloads[k], `payload ${k}`));
      });
    }
  });
});

Deno.test("Ethernity's golden PDFs scan to exactly the payloads Ethernity read from them", async () => {
  const cases: Array<[string[], string]> = [
    [["raw/file_no_shard/qr_document.pdf"], "raw/file_no_shard/main_payloads.bin"],
    [["raw/mixed_no_shard/qr_document.pdf"], "raw/mixed_no_shard/main_payloads.bin"],
    [["raw/sharded_embedded/qr_document.pdf"], "raw/sharded_embedded/main_payloads.bin"],
    [
      [
        "raw/sharded_embedded/shard-4c285a1cd9ca7aec-1-of-3.pdf",
        "raw/sharded_embedded/shard-4c285a1cd9ca7aec-2-of-3.pdf",
      ],
      "raw/sharded_embedded/shard_payloads_threshold.bin",
    ],
  ];
  for (const [pdfs, bin] of cases) {
    const expected = await readPayloadsBin(fixtures + bin);
    const got: Uint8Array[] = [];
    for (const pdf of pdfs) got.push(...await scanFile(fixtures + pdf, { dpi: 150 }));
    assert.deepEqual(got, expected, bin);
  }
});

Deno.test("Ethernity's base64-profile golden PDF also scans to its golden payloads", async () => {
  // Read as it is printed: these codes hold the binary frames (checked: not base64 text).
  const expected = await readPayloadsBin(fixtures + "base64/file_no_shard/main_payloads.bin");
  const got = await scanFile(fixtures + "base64/file_no_shard/qr_document.pdf", { dpi: 150 });
  assert.deepEqual(got, expected);
});

Deno.test("a document without QR codes scans to []", async () => {
  const got = await scanFile(fixtures + "raw/file_no_shard/recovery_document.pdf", { dpi: 100 });
  assert.deepEqual(got, []);
});

Deno.test("PNG and JPEG scans of a rendered page decode too", async () => {
  await withTemp(async (dir) => {
    const payloads = randomPayloads(77, 6);
    const pdf = join(dir, "doc.pdf");
    await Deno.writeFile(pdf, await renderQrDocument({ title: "Scan me", payloads }));
    await run("pdftoppm", ["-r", "200", "-png", "-singlefile", pdf, join(dir, "png")]);
    await run("pdftoppm", ["-r", "200", "-jpeg", "-singlefile", pdf, join(dir, "jpg")]);
    for (const image of ["png.png", "jpg.jpg"]) {
      assert.deepEqual(await scanFile(join(dir, image)), payloads, image);
    }
  });
});

Deno.test("codes seen but not decoded at a coarse dpi make scanFile read the page again sharper", async () => {
  await withTemp(async (dir) => {
    const rand = prng(31);
    const payloads = Array.from(
      { length: 6 },
      () => Uint8Array.from({ length: 300 }, () => Math.floor(rand() * 256)),
    );
    const pdf = join(dir, "coarse.pdf");
    await Deno.writeFile(pdf, await renderQrDocument({ title: "x", payloads }));
    // Precondition: at 72 dpi (1.4 px per 0.5 mm module) some codes fail on the first pass.
    await run("pdftoppm", ["-r", "72", "-png", "-gray", "-singlefile", pdf, join(dir, "p72")]);
    await loadZxing();
    const first = await readBarcodes(await Deno.readFile(join(dir, "p72.png")), {
      formats: ["QRCode"],
      returnErrors: true,
      maxNumberOfSymbols: 255,
    });
    assert.ok(first.some((r) => !r.isValid), "expected undecodable codes at 72 dpi");
    const report = await scanFileReport(pdf, { dpi: 72 });
    assert.deepEqual(report.payloads, payloads);
    assert.equal(report.pages.length, 1);
    assert.equal(report.pages[0]!.unreadable, 0);
  });
});

Deno.test("unreadable inputs are input errors naming the file; a missing one is not-found", async () => {
  await withTemp(async (dir) => {
    const good = await renderQrDocument({ title: "x", payloads: [new Uint8Array([1])] });
    const cases: Array<[string, Uint8Array]> = [
      ["notes.txt", new TextEncoder().encode("just text")],
      ["cut.pdf", good.subarray(0, 200)],
      ["broken.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      await Deno.writeFile(path, bytes);
      await assert.rejects(
        () => scanFile(path, { dpi: 72 }),
        (e) => isUserError(e, "input") && e.message.includes(path),
        name,
      );
    }
    await assert.rejects(
      () => scanFile(join(dir, "nope.pdf")),
      (e) => isUserError(e, "not-found") && e.message.includes("nope.pdf"),
    );
  });
});

Deno.test("a text document's fallback lines are extractable with pdftotext; its code scans", async () => {
  await withTemp(async (dir) => {
    const rand = prng(5);
    const group = () =>
      Array.from({ length: 4 }, () => "ybndrfg8ejkmcpqxot1uwisza345h769"[Math.floor(rand() * 32)])
        .join("");
    const lines = Array.from({ length: 70 }, () => Array.from({ length: 6 }, group).join(" "));
    const qr = crypto.getRandomValues(new Uint8Array(300));
    const pdf = await renderTextDocument({
      title: "Recovery Document",
      lines: ["Keys and typed-text fallback"],
      docIdHex: "0123456789abcdef",
      qrPayloads: [qr],
      sections: [
        {
          heading: "How to recover",
          paragraphs: [
            "Type the lines below exactly as printed — the numbers on the left are not part of the text. "
              .repeat(4),
          ],
        },
        { heading: "AUTH FRAME", monospace: lines.slice(0, 4) },
        { heading: "MAIN FRAME", monospace: lines },
      ],
    });
    const path = join(dir, "recovery.pdf");
    await Deno.writeFile(path, pdf);
    const text = await run("pdftotext", ["-layout", path, "-"]);
    for (const line of lines) assert.ok(text.includes(line), `missing: ${line}`);
    assert.ok(text.includes("Document ID: 0123456789abcdef"));
    assert.match(text, /Page 1 of 3/);
    assert.match(text, /Page 3 of 3/);
    assert.deepEqual(await scanFile(path, { dpi: 150 }), [qr]);
  });
});
