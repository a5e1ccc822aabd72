/**
 * Regression tests found while fuzzing: node Buffers (what cborg and node APIs hand out) have a
 * `slice()` that returns a view, not a copy. The LUKS2 engine must neither write into a caller's
 * Buffer (the header checksum zeroes its field on a copy) nor fail on a Buffer at an unaligned
 * offset (AES-XTS aligns its input by copying).
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { headerChecksum } from "../../../crypto/luks2/header.ts";
import { xtsSectors } from "../../../crypto/luks2/xts.ts";

Deno.test("luks2 regression: headerChecksum leaves a caller's Buffer unchanged", () => {
  const header = Buffer.alloc(16384, 7);
  const before = new Uint8Array(header);
  const sum = headerChecksum(header, "sha256");
  assert.deepEqual(new Uint8Array(header), before);
  assert.deepEqual(headerChecksum(new Uint8Array(before), "sha256"), sum);
});

Deno.test("luks2 regression: AES-XTS accepts a Buffer at an unaligned offset", () => {
  const key = new Uint8Array(64).fill(3);
  const data = crypto.getRandomValues(new Uint8Array(1024));
  const odd = Buffer.alloc(1025).subarray(1);
  odd.set(data);
  const fromBuffer = xtsSectors(true, key, 512, 5n, 1n, odd);
  assert.deepEqual(fromBuffer, xtsSectors(true, key, 512, 5n, 1n, data));
  assert.deepEqual(xtsSectors(false, key, 512, 5n, 1n, fromBuffer), data);
});
