/**
 * Fuzzing typo repair on the fallback text of a 16 KiB paper backup (one MAIN frame of about
 * 27,000 characters): random typos (substitutions, adjacent swaps) within a time bound per
 * case. One typo is always repaired to the exact original; more give the original files or a
 * ParaduxError, never other bytes (a wrong "repair" that happened to match the CRC would still
 * have to pass the doc id, the AUTH signature and age's MACs).
 * Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { makeBackup, recoverBackup } from "../../../paper/backup.ts";
import { fuzzRuns, outcomeAsync } from "../../helpers/fuzz.ts";

const DATA = crypto.getRandomValues(new Uint8Array(16384));
const B = await makeBackup({ files: [{ path: "s.bin", data: DATA }], workFactor: 4, gzip: false });
const LINES = B.recoveryText.split("\n");
const MAIN = LINES.indexOf("MAIN FRAME");
/** [line, column] of every z-base-32 character of the MAIN section. */
const CHARS: [number, number][] = [];
for (let i = MAIN + 1; i < LINES.length; i++) {
  [...(LINES[i] ?? "")].forEach((c, j) => {
    if (c !== " ") CHARS.push([i, j]);
  });
}
const ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";

type Typo = { kind: "sub" | "swap"; at: number; to: number };

function apply(typos: readonly Typo[]): { text: string; changed: boolean } {
  const lines = [...LINES];
  for (const t of typos) {
    const [i, j] = CHARS[t.at % CHARS.length]!;
    const line = lines[i]!;
    if (t.kind === "sub") {
      lines[i] = line.slice(0, j) + ALPHABET[t.to % 32] + line.slice(j + 1);
    } else if (j + 1 < line.length && line[j + 1] !== " ") {
      lines[i] = line.slice(0, j) + line[j + 1] + line[j] + line.slice(j + 2);
    }
  }
  const text = lines.join("\n");
  return { text, changed: text !== B.recoveryText };
}

const TYPO = fc.record({
  kind: fc.constantFrom("sub" as const, "swap" as const),
  at: fc.nat(),
  to: fc.nat(31),
});

async function recover(text: string) {
  const r = await outcomeAsync(
    () => recoverBackup({ inputs: [text], passphrase: B.passphrase }),
    5000,
  );
  if (r.ok) assert.deepEqual(r.value.files.map((f) => f.data), [DATA], "other bytes recovered");
  return r;
}

Deno.test("typo fuzz: one typo in a 16 KiB backup's text is repaired to the original", async () => {
  await fc.assert(
    fc.asyncProperty(TYPO, async (typo) => {
      const { text, changed } = apply([typo]);
      const r = await recover(text);
      assert.ok(r.ok, `typo ${JSON.stringify(typo)}: ${r.ok ? "" : r.error.message}`);
      if (changed) assert.equal(r.value.warnings.length, 1);
    }),
    { numRuns: fuzzRuns(100) },
  );
});

Deno.test("typo fuzz: several typos give the original or a ParaduxError, within the bound", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(TYPO, { minLength: 2, maxLength: 6 }), async (typos) => {
      await recover(apply(typos).text);
    }),
    { numRuns: fuzzRuns(100) },
  );
});
