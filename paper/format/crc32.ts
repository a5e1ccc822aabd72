/**
 * CRC-32/ISO-HDLC (IEEE 802.3, PKZIP), the frame checksum (format.md section 6).
 * @module
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of the bytes as an unsigned 32-bit integer. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The linear part of CRC-32 for a message of `length` bytes: for every bit (byte i, bit j with
 * j = 0 the most significant), the xor it contributes to the CRC when flipped. CRC-32 is affine
 * over GF(2), so crc(m ^ d) = crc(m) ^ xor of these contributions over d's set bits.
 */
export function crcBitContributions(length: number): Uint32Array {
  const out = new Uint32Array(length * 8);
  // Flipping bit b of the last byte: the register gets that bit xored in, then 8 shifts.
  // Walking backwards, each earlier byte sees 8 more zero-byte steps; a zero-byte step is linear.
  let regs = new Uint32Array(8);
  for (let j = 0; j < 8; j++) {
    let c = 1 << (7 - j); // bit j (msb first) of the byte, in reflected register position
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    regs[j] = c >>> 0;
  }
  for (let i = length - 1; i >= 0; i--) {
    for (let j = 0; j < 8; j++) out[i * 8 + j] = regs[j] ?? 0;
    const next = new Uint32Array(8);
    for (let j = 0; j < 8; j++) {
      let c = regs[j] ?? 0;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      next[j] = c >>> 0;
    }
    regs = next;
  }
  return out;
}
