/**
 * LUKS anti-forensic information splitter (AFsplit/AFmerge, as in cryptsetup's lib/luks1/af.c):
 * the key material of a keyslot is `stripes` blocks; merging XORs them with a hash-based diffusion
 * between blocks. Merge recovers the key; split (used by tests) produces material from a key.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { digest, hashSize } from "./hash.ts";

/** The LUKS diffusion: each digest-sized chunk i becomes H(be32(i) || chunk), truncated. */
export function diffuse(block: Uint8Array, hash: string): Uint8Array {
  const size = hashSize(hash, "anti-forensic hash");
  const out = new Uint8Array(block.length);
  const counter = new Uint8Array(4);
  const view = new DataView(counter.buffer);
  for (let i = 0, off = 0; off < block.length; i++, off += size) {
    const chunk = block.subarray(off, Math.min(off + size, block.length));
    view.setUint32(0, i);
    out.set(digest(hash, counter, chunk).subarray(0, chunk.length), off);
  }
  return out;
}

function xorInto(target: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! ^ src[i]!;
}

/** Merges `stripes` blocks of `keyLength` bytes from `material` into the key. */
export function afMerge(
  material: Uint8Array,
  keyLength: number,
  stripes: number,
  hash: string,
): Uint8Array {
  if (keyLength <= 0 || stripes <= 0 || material.length < keyLength * stripes) {
    throw new ParaduxError("input", "luks2 keyslot anti-forensic material is too short");
  }
  let buf: Uint8Array = new Uint8Array(keyLength);
  for (let i = 0; i < stripes - 1; i++) {
    xorInto(buf, material.subarray(i * keyLength, (i + 1) * keyLength));
    buf = diffuse(buf, hash);
  }
  xorInto(buf, material.subarray((stripes - 1) * keyLength, stripes * keyLength));
  return buf;
}

/** Splits `key` into `stripes` blocks using `random` for all but the last block (inverse of merge). */
export function afSplit(
  key: Uint8Array,
  stripes: number,
  hash: string,
  random: (n: number) => Uint8Array,
): Uint8Array {
  const n = key.length;
  const out = new Uint8Array(n * stripes);
  let buf: Uint8Array = new Uint8Array(n);
  for (let i = 0; i < stripes - 1; i++) {
    const r = random(n);
    out.set(r, i * n);
    xorInto(buf, r);
    buf = diffuse(buf, hash);
  }
  const last = out.subarray((stripes - 1) * n);
  last.set(key);
  xorInto(last, buf);
  return out;
}
