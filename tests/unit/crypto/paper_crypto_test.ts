import assert from "node:assert/strict";
import {
  combine,
  evaluate,
  gfInv,
  gfMul,
  interpolateAt,
  makePolynomial,
  split,
} from "../../../crypto/shamir128.ts";
import { fromHex, toHex } from "../../../crypto/hashes.ts";
import { blake2b256 } from "../../../crypto/hashes.ts";
import { publicKeyOf, sign, verify } from "../../../crypto/ed25519.ts";
import {
  entropyOf,
  isMnemonic,
  mnemonicOf,
  newMnemonic,
  WORD_COUNTS,
} from "../../../crypto/bip39.ts";

Deno.test("GF(2^128): x * x^127 reduces by x^7+x^2+x+1; inverses", () => {
  assert.equal(gfMul(2n, 1n << 127n), 0x87n);
  for (const a of [1n, 2n, 3n, 0x87n, (1n << 128n) - 1n, 0x0123456789abcdefn]) {
    assert.equal(gfMul(a, gfInv(a)), 1n);
  }
  assert.equal(gfMul(3n, 3n), 5n); // (x+1)^2 = x^2+1
});

Deno.test("Shamir: any k of n recover, padding to 16, k-1 give something else", () => {
  for (const len of [1, 15, 16, 17, 64, 200]) {
    const secret = crypto.getRandomValues(new Uint8Array(len));
    const shares = split(secret, 3, 6);
    for (const pick of [[0, 1, 2], [3, 4, 5], [5, 1, 3], [0, 2, 4, 5]]) {
      const got = combine(pick.map((i) => shares[i]!));
      assert.equal(got.length, Math.ceil(len / 16) * 16);
      assert.deepEqual(got.slice(0, len), secret);
    }
    assert.notDeepEqual(combine([shares[1]!, shares[4]!]).slice(0, len), secret);
  }
});

Deno.test("Shamir: threshold 1 shares are the secret; evaluation matches interpolation", () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  for (const s of split(secret, 1, 3)) assert.deepEqual(s.data, secret);
  const poly = makePolynomial(secret, 4);
  const basis = [2, 5, 9, 200].map((i) => evaluate(poly, i));
  for (const x of [1, 3, 255]) assert.deepEqual(interpolateAt(basis, x), evaluate(poly, x).data);
  assert.throws(() => evaluate(poly, 0), RangeError);
  assert.throws(() => split(secret, 3, 256), RangeError);
  assert.throws(() => combine([basis[0]!, basis[0]!]), RangeError);
});

Deno.test("BLAKE2b-256 and Ed25519 (RFC 8032 test 1) vectors", () => {
  assert.equal(
    toHex(blake2b256(new TextEncoder().encode("abc"))),
    "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
  );
  const seed = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  assert.equal(
    toHex(publicKeyOf(seed)),
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
  );
  const sig = sign(seed, new Uint8Array());
  assert.equal(toHex(sig).slice(0, 32), "e5564300c360ac729086e2cc806e828a");
  assert.ok(verify(publicKeyOf(seed), new Uint8Array(), sig));
  assert.ok(!verify(publicKeyOf(seed), Uint8Array.of(1), sig));
  assert.ok(!verify(new Uint8Array(31), new Uint8Array(), sig));
});

Deno.test("BIP39: 12-24 words with checksum; spec example; bad checksum rejected", () => {
  for (const n of WORD_COUNTS) {
    const m = newMnemonic(n);
    assert.equal(m.split(" ").length, n);
    assert.ok(isMnemonic(m));
    assert.equal(mnemonicOf(entropyOf(m)), m);
  }
  assert.ok(
    isMnemonic(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    ),
  );
  // the 12-word example in Ethernity's format_notes.md fails the BIP39 checksum
  assert.ok(
    !isMnemonic(
      "abandon ability able about above absent absorb abstract absurd abuse access accident",
    ),
  );
  assert.ok(
    !isMnemonic(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon",
    ),
  );
  assert.ok(
    !isMnemonic(
      "Abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    ),
  );
  assert.ok(
    !isMnemonic(
      "abandon  abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    ),
  );
  assert.throws(() => newMnemonic(13), RangeError);
});
