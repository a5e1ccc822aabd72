/**
 * AES-XTS (IEEE 1619) over whole sectors, built on AES-ECB from node:crypto and batched: the
 * initial tweaks of all sectors are encrypted in one ECB call, the per-block tweaks are derived
 * with 32-bit word arithmetic, and the data passes through ECB once. Supports 256- and 512-bit
 * XTS keys (AES-128 and AES-256). Sector numbers are 64-bit little-endian tweaks ("plain64").
 * @module
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { ParaduxError } from "../../errors.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Work in chunks so the tweak buffer stays small for big inputs. */
const CHUNK = 4 << 20;

function ecbName(halfKeyLength: number): string {
  if (halfKeyLength === 16) return "aes-128-ecb";
  if (halfKeyLength === 32) return "aes-256-ecb";
  throw new ParaduxError("input", `unsupported aes-xts key size ${halfKeyLength * 16} bits`, {
    hint: "aes-xts keys must be 256 or 512 bits",
  });
}

function ecb(encrypt: boolean, key: Uint8Array, data: Uint8Array): Uint8Array {
  const name = ecbName(key.length);
  const c = encrypt ? createCipheriv(name, key, null) : createDecipheriv(name, key, null);
  c.setAutoPadding(false);
  const out = c.update(data);
  const tail = c.final();
  if (tail.length !== 0) throw new Error("aes-ecb returned trailing bytes");
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Fills `tweaks` (one 16-byte tweak per block) from the encrypted sector tweaks `first`. */
function expandTweaks(first: Uint8Array, blocksPerSector: number, tweaks: Uint8Array): void {
  if (!LITTLE_ENDIAN) throw new Error("aes-xts needs a little-endian platform");
  const f = new Uint32Array(first.buffer, first.byteOffset, first.byteLength >>> 2);
  const t = new Uint32Array(tweaks.buffer, tweaks.byteOffset, tweaks.byteLength >>> 2);
  const sectors = f.length >>> 2;
  let o = 0;
  for (let s = 0; s < sectors; s++) {
    let w0 = f[s * 4]!, w1 = f[s * 4 + 1]!, w2 = f[s * 4 + 2]!, w3 = f[s * 4 + 3]!;
    for (let b = 0; b < blocksPerSector; b++) {
      t[o] = w0;
      t[o + 1] = w1;
      t[o + 2] = w2;
      t[o + 3] = w3;
      o += 4;
      // multiply by alpha in GF(2^128), little-endian bit order
      const carry = w3 >>> 31;
      w3 = (w3 << 1) | (w2 >>> 31);
      w2 = (w2 << 1) | (w1 >>> 31);
      w1 = (w1 << 1) | (w0 >>> 31);
      w0 = (w0 << 1) ^ (carry * 0x87);
    }
  }
}

function xorWords(dst: Uint8Array, a: Uint8Array, b: Uint8Array): void {
  const d = new Uint32Array(dst.buffer, dst.byteOffset, dst.byteLength >>> 2);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2);
  for (let i = 0; i < d.length; i++) d[i] = x[i]! ^ y[i]!;
}

/**
 * Aligned copy (Uint32Array views need 4-byte aligned offsets). `new Uint8Array(data)`, not
 * `data.slice()`: a node Buffer's `slice` is a view at the same unaligned offset.
 */
function aligned(data: Uint8Array): Uint8Array {
  return data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
}

/**
 * Encrypts or decrypts `data` (a whole number of sectors) with AES-XTS. Sector i (0-based) uses
 * the tweak `firstTweak + i * tweakStep` as a 64-bit little-endian number.
 */
export function xtsSectors(
  encrypt: boolean,
  key: Uint8Array,
  sectorSize: number,
  firstTweak: bigint,
  tweakStep: bigint,
  data: Uint8Array,
): Uint8Array {
  if (key.length !== 32 && key.length !== 64) {
    throw new ParaduxError("input", `unsupported aes-xts key size ${key.length * 8} bits`);
  }
  if (sectorSize <= 0 || sectorSize % 16 !== 0 || data.length % sectorSize !== 0) {
    throw new ParaduxError("input", "aes-xts data must be whole sectors");
  }
  const half = key.length / 2;
  const k1 = key.subarray(0, half);
  const k2 = key.subarray(half);
  const out = new Uint8Array(data.length);
  const sectorsPerChunk = Math.max(1, Math.floor(CHUNK / sectorSize));
  const chunkBytes = sectorsPerChunk * sectorSize;
  const tweaks = new Uint8Array(Math.min(chunkBytes, data.length));
  const ivs = new Uint8Array(sectorsPerChunk * 16);
  const ivView = new DataView(ivs.buffer);
  const mask = (1n << 64n) - 1n;
  const src = aligned(data);
  for (let start = 0; start < data.length; start += chunkBytes) {
    const len = Math.min(chunkBytes, data.length - start);
    const sectors = len / sectorSize;
    const base = firstTweak + BigInt(start / sectorSize) * tweakStep;
    ivs.fill(0);
    for (let s = 0; s < sectors; s++) {
      ivView.setBigUint64(s * 16, (base + BigInt(s) * tweakStep) & mask, true);
    }
    const first = ecb(true, k2, ivs.subarray(0, sectors * 16));
    const tw = tweaks.subarray(0, len);
    expandTweaks(aligned(first), sectorSize / 16, tw);
    const dst = out.subarray(start, start + len);
    xorWords(dst, src.subarray(start, start + len), tw);
    const mid = aligned(ecb(encrypt, k1, dst));
    xorWords(dst, mid, tw);
  }
  return out;
}
