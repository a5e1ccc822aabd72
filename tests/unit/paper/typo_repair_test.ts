import assert from "node:assert/strict";
import { makeBackup, recoverBackup } from "../../../paper/backup.ts";
import { ParaduxError } from "../../../errors.ts";
import { crc32, crcBitContributions } from "../../../paper/format/crc32.ts";
import { ZBASE32_ALPHABET } from "../../../paper/format/zbase32.ts";
import { fallbackLines } from "../../../paper/format/fallback_text.ts";
import { framesOfInputs } from "../../../paper/inputs.ts";
import { encodeFrame } from "../../../paper/format/frame.ts";

Deno.test("crc32: check value and the bit contributions are the affine part", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const msg = crypto.getRandomValues(new Uint8Array(37));
  const eff = crcBitContributions(msg.length);
  for (let i = 0; i < msg.length; i++) {
    for (let j = 0; j < 8; j++) {
      const flipped = new Uint8Array(msg);
      flipped[i] = (flipped[i] ?? 0) ^ (0x80 >> j);
      assert.equal((crc32(msg) ^ crc32(flipped)) >>> 0, eff[i * 8 + j]);
    }
  }
});

const frame = encodeFrame({
  type: "key",
  docId: new Uint8Array(8).fill(3),
  index: 0,
  total: 1,
  // fixed bytes (not random): the swap test needs two different neighbours at its position
  data: Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff),
});
const lines = fallbackLines(frame, { lineNumbers: true });
const text = "SHARD FRAME\n" + lines.join("\n") + "\n";

/** Replaces the character at group-text position `pos` (0-based over z-base-32 chars) on a line. */
function mutate(
  lineNo: number,
  charIdx: number,
  f: (c: string, line: string, col: number) => string,
): string {
  const all = text.split("\n");
  const line = all[lineNo] ?? "";
  // position of the charIdx-th z-base-32 char after the "N." margin token
  const start = line.indexOf(".") + 1;
  let seen = -1;
  for (let col = start; col < line.length; col++) {
    if (line[col] === " ") continue;
    if (++seen === charIdx) {
      all[lineNo] = f(line[col] as string, line, col);
      return all.join("\n");
    }
  }
  throw new Error("no such char");
}

function other(c: string): string {
  return ZBASE32_ALPHABET[(ZBASE32_ALPHABET.indexOf(c) + 7) % 32] as string;
}

Deno.test("typo repair: one substitution anywhere is repaired and reported with line and char", () => {
  for (const [lineNo, idx] of [[1, 0], [3, 5], [7, 23], [lines.length, 0]] as const) {
    const typo = mutate(
      lineNo,
      idx,
      (c, line, col) => line.slice(0, col) + other(c) + line.slice(col + 1),
    );
    const [got] = framesOfInputs([typo]);
    assert.deepEqual(got?.bytes, frame);
    assert.equal(got?.repair?.kind, "substitution");
    assert.equal(got?.repair?.line, lineNo + 1);
    assert.equal(got?.repair?.sectionLine, lineNo);
  }
});

Deno.test("typo repair: adjacent swap and a foreign character are repaired", () => {
  const swapped = mutate(2, 5, (c, line, col) => {
    let n = col + 1;
    while (line[n] === " ") n++;
    const d = line[n] as string;
    assert.notEqual(c, d, "pick a position with two different chars");
    return line.slice(0, col) + d + line.slice(col + 1, n) + c + line.slice(n + 1);
  });
  const [s] = framesOfInputs([swapped]);
  assert.deepEqual(s?.bytes, frame);
  assert.equal(s?.repair?.kind, "swap");
  const foreign = mutate(4, 2, (_c, line, col) => line.slice(0, col) + "l" + line.slice(col + 1));
  const [f] = framesOfInputs([foreign]);
  assert.deepEqual(f?.bytes, frame);
  assert.equal(f?.repair?.from, "l");
});

Deno.test("typo repair: two typos in one frame are an error naming the frame and lines", () => {
  let two = mutate(2, 1, (c, line, col) => line.slice(0, col) + other(c) + line.slice(col + 1));
  const saved = text;
  two = two.split("\n").map((l, i) => {
    if (i !== 6) return l;
    const col = l.indexOf(".") + 3;
    return l.slice(0, col) + other(l[col] as string) + l.slice(col + 1);
  }).join("\n");
  assert.notEqual(two, saved);
  assert.throws(() => framesOfInputs([two]), (e: unknown) => {
    assert.ok(e instanceof ParaduxError);
    assert.equal(e.kind, "input");
    assert.match(
      e.message,
      new RegExp(
        `^input 1: shard frame text \\(lines 2-${lines.length + 1}\\): more than one typo`,
      ),
    );
    return true;
  });
});

Deno.test("typo repair: a typo in the recovery text is repaired end to end and reported", async () => {
  const b = await makeBackup({
    files: [{ path: "a", data: new TextEncoder().encode("hello") }],
    workFactor: 4,
    passphrase: "pw",
  });
  const all = b.recoveryText.split("\n");
  const mainAt = all.indexOf("MAIN FRAME");
  const ln = mainAt + 3;
  const line = all[ln] ?? "";
  all[ln] = other(line[0] as string) + line.slice(1);
  const got = await recoverBackup({ inputs: [all.join("\n")], passphrase: "pw" });
  assert.equal(new TextDecoder().decode(got.files[0]?.data), "hello");
  assert.equal(got.authenticated, true);
  assert.equal(got.warnings.length, 1);
  assert.match(
    got.warnings[0] ?? "",
    new RegExp(`typo repaired at line ${ln + 1} char 1 \\(frame line 3\\)`),
  );
});
