import assert from "node:assert/strict";
import { combine, interpolateAt, split } from "../../crypto/shamir128.ts";
import { fromHex, toHex } from "../../crypto/hashes.ts";

const PY = "/usr/bin/python3";

async function python(script: string, input: unknown): Promise<unknown> {
  const out = await new Deno.Command(PY, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = out.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(input)));
  await w.close();
  const r = await out.output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

const COMBINE = `
import json, sys
from Cryptodome.Protocol.SecretSharing import Shamir
cases = json.load(sys.stdin)
print(json.dumps([Shamir.combine([(i, bytes.fromhex(h)) for i, h in c], ssss=False).hex() for c in cases]))
`;

const SPLIT = `
import json, sys
from Cryptodome.Protocol.SecretSharing import Shamir
cases = json.load(sys.stdin)
print(json.dumps([[[i, s.hex()] for i, s in Shamir.split(k, n, bytes.fromhex(h), ssss=False)] for k, n, h in cases]))
`;

/** Subsets of size k of 1..n that are not {1..k} (whose Lagrange weights at 0 are all 1). */
function subset(k: number, n: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i + 1);
  for (let s = seed;; s++) {
    const pick = [...all].sort((a, b) =>
      ((a * 7919 + s * 104729) % 97) - ((b * 7919 + s * 104729) % 97)
    ).slice(0, k)
      .sort((a, b) => a - b);
    if (pick.join() !== all.slice(0, k).join()) return pick;
  }
}

const PARAMS = [[2, 3], [2, 5], [3, 5], [4, 7], [5, 9], [3, 16], [8, 20], [1, 4]] as const;

Deno.test("GF(2^128) Shamir: PyCryptodome combines Paradux shares (subsets other than {1..k})", async () => {
  const cases: [number, string][][] = [];
  const secrets: string[] = [];
  PARAMS.forEach(([k, n], t) => {
    for (let r = 0; r < 4; r++) {
      const secret = crypto.getRandomValues(new Uint8Array(16));
      const shares = split(secret, k, n);
      const pick = subset(k, n, t * 10 + r);
      cases.push(pick.map((i) => [i, toHex(shares[i - 1]!.data)]));
      secrets.push(toHex(secret));
    }
  });
  assert.deepEqual(await python(COMBINE, cases), secrets);
});

Deno.test("GF(2^128) Shamir: Paradux combines PyCryptodome shares and evaluates unused indices", async () => {
  const input = PARAMS.flatMap(([k, n]) =>
    Array.from(
      { length: 4 },
      () => [k, n, toHex(crypto.getRandomValues(new Uint8Array(16)))] as const,
    )
  );
  const out = await python(SPLIT, input) as [number, string][][];
  out.forEach((shares, t) => {
    const [k, n, secret] = input[t]!;
    const all = shares.map(([index, hex]) => ({ index, data: fromHex(hex) }));
    assert.equal(all.length, n);
    const pick = subset(k, n, t).map((i) => all[i - 1]!);
    assert.equal(toHex(combine(pick)), secret);
    // replacement shard: the polynomial through k shares gives every other share exactly
    for (const s of all) assert.equal(toHex(interpolateAt(pick, s.index)), toHex(s.data));
  });
});
