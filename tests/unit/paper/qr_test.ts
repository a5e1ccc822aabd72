import assert from "node:assert/strict";
import QRCode from "qrcode";
import { readBarcodes } from "zxing-wasm/reader";
import { isUserError } from "../../../errors.ts";
import {
  BYTE_CAPACITY,
  ECC_LEVELS,
  encodeQr,
  maxPayloadBytes,
  type QrMatrix,
  symbolSize,
  versionFor,
} from "../../../paper/qr.ts";
import { loadZxing } from "../../../paper/scan.ts";

Deno.test("capacity table: spot values from ISO/IEC 18004 table 7 (byte mode)", () => {
  assert.equal(maxPayloadBytes(1, "L"), 17);
  assert.equal(maxPayloadBytes(1, "H"), 7);
  assert.equal(maxPayloadBytes(10, "M"), 213);
  assert.equal(maxPayloadBytes(40, "L"), 2953);
  assert.equal(maxPayloadBytes(40, "H"), 1273);
  for (const ecc of ECC_LEVELS) {
    const caps = BYTE_CAPACITY[ecc];
    assert.equal(caps.length, 40);
    for (let i = 1; i < caps.length; i++) assert.ok(caps[i]! > caps[i - 1]!, `${ecc} v${i + 1}`);
  }
  assert.throws(() => maxPayloadBytes(41, "M"), RangeError);
  assert.equal(versionFor(2331, "M"), 40);
  assert.equal(versionFor(2332, "M"), undefined);
});

/** The version npm qrcode picks on its own for a byte-mode payload. */
function qrcodeVersion(length: number, ecc: string): number {
  const create = (QRCode as unknown as { create(s: unknown, o: unknown): { version: number } })
    .create;
  return create([{ data: new Uint8Array(length), mode: "byte" }], { errorCorrectionLevel: ecc })
    .version;
}

Deno.test("capacity table agrees with npm qrcode at every version and level", () => {
  for (const ecc of ECC_LEVELS) {
    for (let v = 1; v <= 40; v++) {
      const cap = maxPayloadBytes(v, ecc);
      assert.equal(qrcodeVersion(cap, ecc), v, `${ecc}: ${cap} bytes`);
      if (v < 40) assert.equal(qrcodeVersion(cap + 1, ecc), v + 1, `${ecc}: ${cap + 1} bytes`);
    }
  }
});

Deno.test("encodeQr picks the smallest version and returns a full matrix", () => {
  for (const ecc of ECC_LEVELS) {
    for (const v of [1, 2, 9, 10, 26, 27, 40]) {
      const cap = maxPayloadBytes(v, ecc);
      const m = encodeQr(new Uint8Array(cap).fill(0xa5), ecc);
      assert.equal(m.version, v, `${ecc}: ${cap} bytes`);
      assert.equal(m.size, symbolSize(v));
      assert.equal(m.dark.length, m.size * m.size);
      assert.ok(m.dark.every((b) => b === 0 || b === 1));
      // finder pattern: top-left 7x7 ring is dark
      assert.equal(m.dark[0], 1);
      assert.equal(m.dark[6 * m.size + 6], 1);
      assert.equal(m.dark[1 * m.size + 1], 0);
    }
  }
});

Deno.test("encodeQr: a payload beyond version 40 is a capacity error", () => {
  assert.throws(() => encodeQr(new Uint8Array(1274), "H"), (e) => isUserError(e, "capacity"));
  assert.equal(encodeQr(new Uint8Array(1273), "H").version, 40);
});

Deno.test("encodeQr: minVersion enlarges a small code", () => {
  assert.equal(encodeQr(new Uint8Array(5), "M", 7).version, 7);
});

/** The matrix as an RGBA pixmap with a 4-module quiet zone, `scale` pixels per module. */
function pixmap(m: QrMatrix, scale = 4) {
  const side = (m.size + 8) * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let r = 0; r < m.size; r++) {
    for (let c = 0; c < m.size; c++) {
      if (m.dark[r * m.size + c] !== 1) continue;
      for (let y = 0; y < scale; y++) {
        for (let x = 0; x < scale; x++) {
          const o = (((r + 4) * scale + y) * side + (c + 4) * scale + x) * 4;
          data.fill(0, o, o + 3);
        }
      }
    }
  }
  return { data, width: side, height: side, colorSpace: "srgb" } as unknown as ImageData;
}

Deno.test("encodeQr keeps binary bytes exactly (byte mode, no UTF-8 re-encoding)", async () => {
  await loadZxing();
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const cases: Array<[string, Uint8Array]> = [
    ["all 256 byte values", all],
    ["invalid UTF-8", new Uint8Array([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x80])],
    ["one digit byte (numeric-looking)", new Uint8Array([0x37])],
    ["zeros", new Uint8Array(40)],
    ["0xFF run", new Uint8Array(40).fill(0xff)],
    ["ASCII digits", new TextEncoder().encode("0123456789")],
  ];
  for (const [name, payload] of cases) {
    for (const ecc of ECC_LEVELS) {
      const m = encodeQr(payload, ecc);
      const [read, ...more] = await readBarcodes(pixmap(m), { formats: ["QRCode"] });
      assert.equal(more.length, 0, name);
      assert.ok(read?.isValid, `${name} ${ecc}`);
      assert.equal(read.ecLevel, ecc, name);
      assert.deepEqual(new Uint8Array(read.bytes), payload, `${name} ${ecc}`);
    }
  }
});
