/**
 * QR transport of frames (format.md section 10): raw frame bytes, or unpadded base64 text that
 * must be canonical (no "=", whitespace ignored, re-encodes identically, at most 3072 chars).
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { MAX_QR_PAYLOAD_CHARS } from "./limits.ts";

/** The two transports of v1. */
export type QrCodec = "raw" | "base64";

/** Unpadded standard base64 of bytes. */
export function base64Unpadded(data: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < data.length; i += 0x8000) {
    bin += String.fromCharCode(...data.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/=+$/, "");
}

/** The QR payload of a frame in the chosen transport. */
export function encodeQrPayload(frame: Uint8Array, codec: QrCodec = "raw"): Uint8Array | string {
  return codec === "raw" ? frame : base64Unpadded(frame);
}

/** Strictly decodes base64 QR payload text to frame bytes. */
export function decodeQrPayloadText(text: string): Uint8Array {
  const normalized = text.replace(/\s+/gu, "");
  if (normalized.length > MAX_QR_PAYLOAD_CHARS) {
    throw new ParaduxError("input", `qr payload text exceeds ${MAX_QR_PAYLOAD_CHARS} characters`);
  }
  if (normalized.includes("=")) throw new ParaduxError("input", "qr payload text contains '='");
  if (!/^[A-Za-z0-9+/]*$/.test(normalized) || normalized.length % 4 === 1) {
    throw new ParaduxError("input", "qr payload text is not unpadded base64");
  }
  const bin = atob(normalized + "=".repeat((4 - (normalized.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  if (base64Unpadded(bytes) !== normalized) {
    throw new ParaduxError("input", "qr payload text is not canonical base64");
  }
  return bytes;
}
