/**
 * QR symbols for paper documents: bytes in, a module matrix out.
 *
 * Payloads are opaque binary Ethernity frames and always go into one BYTE-mode segment, so every
 * byte (0x00 and 0xFF included) is stored exactly as given; nothing is re-encoded as UTF-8. The
 * smallest version that holds the payload at the requested error-correction level is chosen.
 * Capacities come from ISO/IEC 18004 table 7 (byte mode), checked in tests against npm `qrcode`.
 * @module
 */
import QRCode from "qrcode";
import { ParaduxError } from "../errors.ts";

/** QR error-correction level: L (7%), M (15%), Q (25%), H (30%). Ethernity's default is M. */
export type Ecc = "L" | "M" | "Q" | "H";

/** All error-correction levels, weakest first. */
export const ECC_LEVELS: readonly Ecc[] = ["L", "M", "Q", "H"];

/** A QR symbol as a square matrix of dark (true) and light (false) modules, without quiet zone. */
export interface QrMatrix {
  /** QR version 1..40. */
  readonly version: number;
  /** Error-correction level used. */
  readonly ecc: Ecc;
  /** Modules per side (17 + 4 * version). */
  readonly size: number;
  /** Row-major modules: `dark[row * size + col]` is 1 for a dark module, 0 for light. */
  readonly dark: Uint8Array;
}

/** Maximum byte-mode payload per version (index 0 = version 1), per level. */
export const BYTE_CAPACITY: Readonly<Record<Ecc, readonly number[]>> = {
  L: [
    17,
    32,
    53,
    78,
    106,
    134,
    154,
    192,
    230,
    271,
    321,
    367,
    425,
    458,
    520,
    586,
    644,
    718,
    792,
    858,
    929,
    1003,
    1091,
    1171,
    1273,
    1367,
    1465,
    1528,
    1628,
    1732,
    1840,
    1952,
    2068,
    2188,
    2303,
    2431,
    2563,
    2699,
    2809,
    2953,
  ],
  M: [
    14,
    26,
    42,
    62,
    84,
    106,
    122,
    152,
    180,
    213,
    251,
    287,
    331,
    362,
    412,
    450,
    504,
    560,
    624,
    666,
    711,
    779,
    857,
    911,
    997,
    1059,
    1125,
    1190,
    1264,
    1370,
    1452,
    1538,
    1628,
    1722,
    1809,
    1911,
    1989,
    2099,
    2213,
    2331,
  ],
  Q: [
    11,
    20,
    32,
    46,
    60,
    74,
    86,
    108,
    130,
    151,
    177,
    203,
    241,
    258,
    292,
    322,
    364,
    394,
    442,
    482,
    509,
    565,
    611,
    661,
    715,
    751,
    805,
    868,
    908,
    982,
    1030,
    1112,
    1168,
    1228,
    1283,
    1351,
    1423,
    1499,
    1579,
    1663,
  ],
  H: [
    7,
    14,
    24,
    34,
    44,
    58,
    64,
    84,
    98,
    119,
    137,
    155,
    177,
    194,
    220,
    250,
    280,
    310,
    338,
    382,
    403,
    439,
    461,
    511,
    535,
    593,
    625,
    658,
    698,
    742,
    790,
    842,
    898,
    958,
    983,
    1051,
    1093,
    1139,
    1219,
    1273,
  ],
};

/** Modules per side of a QR symbol of `version` (no quiet zone). */
export function symbolSize(version: number): number {
  return 17 + 4 * version;
}

/** The most payload bytes a QR symbol of `version` holds at `ecc` in byte mode. */
export function maxPayloadBytes(version: number, ecc: Ecc): number {
  const cap = BYTE_CAPACITY[ecc][version - 1];
  if (cap === undefined) throw new RangeError(`QR version must be 1..40, got ${version}`);
  return cap;
}

/** The smallest version holding `length` bytes at `ecc`, or undefined when even version 40 cannot. */
export function versionFor(length: number, ecc: Ecc): number | undefined {
  const i = BYTE_CAPACITY[ecc].findIndex((cap) => cap >= length);
  return i < 0 ? undefined : i + 1;
}

/** True when `value` names an error-correction level. */
export function isEcc(value: unknown): value is Ecc {
  return typeof value === "string" && (ECC_LEVELS as readonly string[]).includes(value);
}

interface QrCodeModel {
  version: number;
  modules: { size: number; data: Uint8Array };
}

const create = (QRCode as unknown as {
  create(segments: unknown, options: unknown): QrCodeModel;
}).create;

/**
 * Encodes `payload` as one BYTE-mode QR symbol at `ecc` (default M), at least version `minVersion`
 * (so that several codes of one document can share one size).
 * @throws ParaduxError `capacity` when the payload exceeds version 40 at this level.
 */
export function encodeQr(payload: Uint8Array, ecc: Ecc = "M", minVersion = 1): QrMatrix {
  const version = versionFor(payload.length, ecc);
  if (version === undefined) {
    throw new ParaduxError(
      "capacity",
      `a qr payload of ${payload.length} bytes does not fit one qr code at level ${ecc}`,
      { hint: `at most ${maxPayloadBytes(40, ecc)} bytes fit; use a lower error-correction level` },
    );
  }
  const model = create([{ data: new Uint8Array(payload), mode: "byte" }], {
    errorCorrectionLevel: ecc,
    version: Math.max(version, minVersion),
  });
  const { size, data } = model.modules;
  const dark = new Uint8Array(size * size);
  for (let i = 0; i < dark.length; i++) dark[i] = (data[i] ?? 0) & 1;
  return { version: model.version, ecc, size, dark };
}
