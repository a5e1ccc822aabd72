/**
 * `node:buffer` for the recovery kit's browser bundle: the base64, hex and UTF-8 conversions
 * of `Buffer` that the shared modules use, on plain Uint8Arrays.
 * @module
 */

type Encoding = "base64" | "hex" | "utf8" | "utf-8";

/** The subset of node's Buffer the shared modules use. */
export class Buffer extends Uint8Array {
  /** Bytes from text in an encoding, or a copy of bytes. */
  static override from(value: unknown, encoding?: unknown): Buffer {
    if (typeof value === "string") {
      return Buffer.fromString(value, (encoding ?? "utf8") as Encoding);
    }
    const bytes = value instanceof ArrayBuffer
      ? new Uint8Array(value)
      : new Uint8Array(value as ArrayLike<number>);
    const out = new Buffer(bytes.length);
    out.set(bytes);
    return out;
  }

  private static fromString(text: string, encoding: Encoding): Buffer {
    let bytes: Uint8Array;
    if (encoding === "base64") {
      const bin = atob(text.replace(/[^A-Za-z0-9+/]/g, ""));
      bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    } else if (encoding === "hex") {
      bytes = new Uint8Array(text.length >> 1);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
    } else bytes = new TextEncoder().encode(text);
    const out = new Buffer(bytes.length);
    out.set(bytes);
    return out;
  }

  /** The bytes as text in an encoding. */
  override toString(encoding: Encoding = "utf8"): string {
    if (encoding === "base64") {
      let bin = "";
      for (let i = 0; i < this.length; i += 0x8000) {
        bin += String.fromCharCode(...this.subarray(i, i + 0x8000));
      }
      return btoa(bin);
    }
    if (encoding === "hex") {
      return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    return new TextDecoder().decode(this);
  }
}
