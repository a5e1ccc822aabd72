/**
 * Shamir's secret sharing over GF(2^128), exactly as Ethernity v1 (format.md section 15) and
 * PyCryptodome's `Shamir` with `ssss=False`: the field polynomial is x^128 + x^7 + x^2 + x + 1,
 * the secret is cut into 16-byte blocks (the last one right-padded with zeros), each block is a
 * field element read as a big-endian integer, and share i is p(i) for every block's polynomial
 * with the integer i as the field element (no index folded into the share bytes).
 *
 * Pure functions over bytes. Callers keep the secret's real length and truncate after `combine`.
 * @module
 */

/** One share: its index (1..255) and one 16-byte value per secret block. */
export interface Share {
  /** The x coordinate, 1..255. */
  index: number;
  /** p(index) for every block, concatenated; a multiple of 16 bytes. */
  data: Uint8Array;
}

/** The random polynomials of a split, kept to evaluate further indices later. */
export interface Polynomial {
  /** Per block: coefficients from the constant term (the secret block) upwards, k of them. */
  blocks: bigint[][];
}

/** A source of random bytes (crypto.getRandomValues by default). */
export type RandomBytes = (n: number) => Uint8Array;

/** Block size of the field in bytes. */
export const BLOCK = 16;
const MASK = (1n << 128n) - 1n;
const REDUCE = 0x87n;

/** Random bytes from the platform CSPRNG. */
export function cryptoRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  }
  return out;
}

/** Multiplies two field elements. */
export function gfMul(a: bigint, b: bigint): bigint {
  let r = 0n;
  let x = a;
  let y = b;
  while (y > 0n) {
    if (y & 1n) r ^= x;
    y >>= 1n;
    x <<= 1n;
    if (x >> 128n) x = (x & MASK) ^ REDUCE;
  }
  return r;
}

/** Inverts a non-zero field element (a^(2^128-2)). */
export function gfInv(a: bigint): bigint {
  if (a === 0n) throw new RangeError("zero has no inverse");
  let result = 1n;
  let base = a;
  let e = (1n << 128n) - 2n;
  while (e > 0n) {
    if (e & 1n) result = gfMul(result, base);
    base = gfMul(base, base);
    e >>= 1n;
  }
  return result;
}

/** Reads 16 bytes as a big-endian field element. */
export function blockToElement(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

/** Writes a field element as 16 big-endian bytes. */
export function elementToBlock(v: bigint): Uint8Array {
  const out = new Uint8Array(BLOCK);
  let x = v;
  for (let i = BLOCK - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Zero-pads bytes to a multiple of 16 (at least one block). */
export function padToBlocks(secret: Uint8Array): Uint8Array {
  const len = Math.max(1, Math.ceil(secret.length / BLOCK)) * BLOCK;
  const out = new Uint8Array(len);
  out.set(secret);
  return out;
}

function checkIndex(i: number): void {
  if (!Number.isInteger(i) || i < 1 || i > 255) throw new RangeError(`bad share index ${i}`);
}

/** Makes the random polynomials (degree k-1) whose constant terms are the secret's blocks. */
export function makePolynomial(
  secret: Uint8Array,
  k: number,
  rng: RandomBytes = cryptoRandom,
): Polynomial {
  if (!Number.isInteger(k) || k < 1 || k > 255) throw new RangeError(`bad threshold ${k}`);
  const padded = padToBlocks(secret);
  const blocks: bigint[][] = [];
  for (let off = 0; off < padded.length; off += BLOCK) {
    const coeffs = [blockToElement(padded.subarray(off, off + BLOCK))];
    for (let j = 1; j < k; j++) coeffs.push(blockToElement(rng(BLOCK).subarray(0, BLOCK)));
    blocks.push(coeffs);
  }
  return { blocks };
}

/** Evaluates every block's polynomial at `index` (Horner): the share for that index. */
export function evaluate(poly: Polynomial, index: number): Share {
  checkIndex(index);
  const x = BigInt(index);
  const data = new Uint8Array(poly.blocks.length * BLOCK);
  poly.blocks.forEach((coeffs, b) => {
    let acc = 0n;
    for (let j = coeffs.length - 1; j >= 0; j--) acc = gfMul(acc, x) ^ (coeffs[j] ?? 0n);
    data.set(elementToBlock(acc), b * BLOCK);
  });
  return { index, data };
}

/** Splits `secret` into shares 1..n, any k of which recover it (zero-padded to 16 bytes). */
export function split(
  secret: Uint8Array,
  k: number,
  n: number,
  rng: RandomBytes = cryptoRandom,
): Share[] {
  if (!Number.isInteger(n) || n < k || n > 255) throw new RangeError(`bad share count ${n}`);
  const poly = makePolynomial(secret, k, rng);
  return Array.from({ length: n }, (_, i) => evaluate(poly, i + 1));
}

/** Lagrange interpolation of the shares' polynomials at `x` (0 gives the padded secret). */
export function interpolateAt(shares: readonly Share[], x: number): Uint8Array {
  const first = shares[0];
  if (!first) throw new RangeError("no shares");
  const len = first.data.length;
  if (len === 0 || len % BLOCK !== 0) throw new RangeError("share length is not a block multiple");
  const xs = shares.map((s) => {
    checkIndex(s.index);
    if (s.data.length !== len) throw new RangeError("shares differ in length");
    return BigInt(s.index);
  });
  if (new Set(xs).size !== xs.length) throw new RangeError("duplicate share index");
  const at = BigInt(x);
  // Weights w_i = prod_{j != i} (at - x_j) / (x_i - x_j); in GF(2^n) minus is xor.
  const weights = xs.map((xi, i) => {
    let num = 1n;
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = gfMul(num, at ^ xj);
      den = gfMul(den, xi ^ xj);
    });
    return gfMul(num, gfInv(den));
  });
  const out = new Uint8Array(len);
  for (let off = 0; off < len; off += BLOCK) {
    let acc = 0n;
    shares.forEach((s, i) => {
      acc ^= gfMul(weights[i] ?? 0n, blockToElement(s.data.subarray(off, off + BLOCK)));
    });
    out.set(elementToBlock(acc), off);
  }
  return out;
}

/** Recovers the padded secret from at least k distinct shares (garbage from fewer). */
export function combine(shares: readonly Share[]): Uint8Array {
  return interpolateAt(shares, 0);
}
