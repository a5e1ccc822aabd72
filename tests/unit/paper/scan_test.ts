import assert from "node:assert/strict";
import { readingOrder, sniff, zxingWasmPath } from "../../../paper/scan.ts";

function at(x: number, y: number, side = 100, id = `${x},${y}`) {
  const p = (px: number, py: number) => ({ x: px, y: py });
  return {
    id,
    position: {
      topLeft: p(x, y),
      topRight: p(x + side, y),
      bottomLeft: p(x, y + side),
      bottomRight: p(x + side, y + side),
    },
  };
}

Deno.test("readingOrder: rows top to bottom, left to right, tolerant of small skew", () => {
  const grid = [at(300, 12), at(0, 0), at(150, 5), at(150, 160), at(0, 150), at(10, 400)];
  assert.deepEqual(readingOrder(grid).map((r) => r.id), [
    "0,0",
    "150,5",
    "300,12",
    "0,150",
    "150,160",
    "10,400",
  ]);
  assert.deepEqual(readingOrder([]), []);
});

Deno.test("sniff recognises pdf, png and jpeg by their first bytes", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(sniff(enc("%PDF-1.7\n")), "pdf");
  assert.equal(sniff(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "png");
  assert.equal(sniff(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), "jpeg");
  assert.equal(sniff(enc("hello")), undefined);
  assert.equal(sniff(new Uint8Array()), undefined);
});

Deno.test("the zxing reader .wasm comes from the installed npm package", async () => {
  const path = zxingWasmPath();
  assert.ok(/zxing-wasm.*\/dist\/reader\/zxing_reader\.wasm$/.test(path), path);
  const head = (await Deno.readFile(path)).subarray(0, 4);
  assert.deepEqual([...head], [0x00, 0x61, 0x73, 0x6d]); // "\0asm"
});
