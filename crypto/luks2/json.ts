/**
 * The LUKS2 JSON metadata area, checked field by field and turned into typed objects. Every
 * problem becomes ParaduxError("input") naming the field; numbers stored as strings (offsets,
 * sizes) are converted and must be safe integers.
 * @module
 */
import { ParaduxError } from "../../errors.ts";

/** Key derivation parameters of a keyslot. */
export type Luks2Kdf =
  | { type: "pbkdf2"; hash: string; iterations: number; salt: Uint8Array }
  | {
    type: "argon2i" | "argon2id";
    time: number;
    memory: number;
    cpus: number;
    salt: Uint8Array;
  };

/** One keyslot (type "luks2"; other types such as "reencrypt" keep only `type` and `priority`). */
export interface Luks2Keyslot {
  /** Keyslot type: "luks2" holds a key; "reencrypt" is cryptsetup's reencryption bookkeeping. */
  type: string;
  /** Volume key length in bytes. */
  keySize: number;
  /** 0 = ignore, 1 = normal, 2 = high (cryptsetup's default is normal). */
  priority: number;
  /** Anti-forensic splitter parameters. */
  af: { type: string; stripes: number; hash: string } | undefined;
  /** Where the encrypted key material lives (offsets relative to the file start). */
  area:
    | { type: string; offset: number; size: number; encryption: string; keySize: number }
    | undefined;
  /** How the passphrase becomes the area key. */
  kdf: Luks2Kdf | undefined;
}

/** A digest that verifies volume keys. */
export interface Luks2Digest {
  /** Digest type ("pbkdf2"). */
  type: string;
  /** Keyslot ids this digest belongs to. */
  keyslots: string[];
  /** Segment ids this digest belongs to. */
  segments: string[];
  /** PBKDF2 hash name. */
  hash: string;
  /** PBKDF2 iterations. */
  iterations: number;
  /** PBKDF2 salt. */
  salt: Uint8Array;
  /** Expected PBKDF2 output. */
  digest: Uint8Array;
}

/** A segment as stored in the JSON. */
export interface Luks2SegmentJson {
  /** "crypt" for encrypted data, "linear" for plaintext during reencryption. */
  type: string;
  /** Byte offset of the segment in the file. */
  offset: number;
  /** Byte length, or "dynamic" (up to the end of the file). */
  size: "dynamic" | number;
  /** IV offset in 512-byte units (crypt only). */
  ivTweak: number;
  /** Cipher spec such as "aes-xts-plain64" (crypt only). */
  encryption: string;
  /** Sector size in bytes (crypt only). */
  sectorSize: number;
  /** Segment flags (e.g. "backup-final" during reencryption). */
  flags: string[];
}

/** The whole JSON area. */
export interface Luks2Json {
  /** Keyslots by id ("0", "1", ...). */
  keyslots: Record<string, Luks2Keyslot>;
  /** Digests by id. */
  digests: Record<string, Luks2Digest>;
  /** Segments by id. */
  segments: Record<string, Luks2SegmentJson>;
  /** Sizes and flags. */
  config: { jsonSize: number; keyslotsSize: number; flags: string[]; requirements: string[] };
  /** Number of tokens (their content is not used). */
  tokenCount: number;
}

function bad(what: string): never {
  throw new ParaduxError("input", `invalid luks2 metadata: ${what}`, {
    hint: "the file is not an intact luks2 header",
  });
}

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Obj;
}

function str(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string") bad(`${what}.${key} is not a string`);
  return v;
}

function optStr(o: Obj, key: string, what: string, fallback: string): string {
  return o[key] === undefined ? fallback : str(o, key, what);
}

function int(o: Obj, key: string, what: string, min = 0): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    bad(`${what}.${key} is not an integer >= ${min}`);
  }
  return v;
}

/** A u64 stored as a decimal string. */
function u64(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== "string" || !/^[0-9]{1,16}$/.test(v)) bad(`${what}.${key} is not a number`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) bad(`${what}.${key} is too large`);
  return n;
}

function strList(o: Obj, key: string, what: string): string[] {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    bad(`${what}.${key} is not a list of strings`);
  }
  return v as string[];
}

/** Decodes base64 (standard alphabet, with padding) or fails with an input error. */
export function base64(o: Obj, key: string, what: string): Uint8Array {
  const v = str(o, key, what);
  let bin: string;
  try {
    bin = atob(v);
  } catch {
    bad(`${what}.${key} is not base64`);
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function entries(v: unknown, what: string): [string, Obj][] {
  const o = obj(v, what);
  return Object.keys(o).map((id) => {
    if (!/^[0-9]{1,4}$/.test(id)) bad(`${what} id '${id.slice(0, 20)}' is not a number`);
    return [id, obj(o[id], `${what}.${id}`)];
  });
}

function parseKdf(o: Obj, what: string): Luks2Kdf {
  const type = str(o, "type", what);
  const salt = base64(o, "salt", what);
  if (type === "pbkdf2") {
    return { type, hash: str(o, "hash", what), iterations: int(o, "iterations", what, 1), salt };
  }
  if (type === "argon2i" || type === "argon2id") {
    return {
      type,
      time: int(o, "time", what, 1),
      memory: int(o, "memory", what, 8),
      cpus: int(o, "cpus", what, 1),
      salt,
    };
  }
  return bad(`${what}.type '${type.slice(0, 20)}' is not a supported kdf`);
}

function parseKeyslot(o: Obj, what: string): Luks2Keyslot {
  const type = str(o, "type", what);
  const priority = o["priority"] === undefined ? 1 : int(o, "priority", what);
  if (type !== "luks2") {
    return { type, keySize: 0, priority, af: undefined, area: undefined, kdf: undefined };
  }
  const af = obj(o["af"], `${what}.af`);
  const area = obj(o["area"], `${what}.area`);
  return {
    type,
    keySize: int(o, "key_size", what, 1),
    priority,
    af: {
      type: str(af, "type", `${what}.af`),
      stripes: int(af, "stripes", `${what}.af`, 1),
      hash: str(af, "hash", `${what}.af`),
    },
    area: {
      type: str(area, "type", `${what}.area`),
      offset: u64(area, "offset", `${what}.area`),
      size: u64(area, "size", `${what}.area`),
      encryption: str(area, "encryption", `${what}.area`),
      keySize: int(area, "key_size", `${what}.area`, 1),
    },
    kdf: parseKdf(obj(o["kdf"], `${what}.kdf`), `${what}.kdf`),
  };
}

function parseDigest(o: Obj, what: string): Luks2Digest {
  const type = str(o, "type", what);
  if (type !== "pbkdf2") bad(`${what}.type '${type.slice(0, 20)}' is not supported`);
  return {
    type,
    keyslots: strList(o, "keyslots", what),
    segments: strList(o, "segments", what),
    hash: str(o, "hash", what),
    iterations: int(o, "iterations", what, 1),
    salt: base64(o, "salt", what),
    digest: base64(o, "digest", what),
  };
}

function parseSegment(o: Obj, what: string): Luks2SegmentJson {
  const type = str(o, "type", what);
  const size = o["size"] === "dynamic" ? "dynamic" : u64(o, "size", what);
  const crypt = type === "crypt";
  return {
    type,
    offset: u64(o, "offset", what),
    size,
    ivTweak: crypt ? u64(o, "iv_tweak", what) : 0,
    encryption: crypt ? str(o, "encryption", what) : optStr(o, "encryption", what, ""),
    sectorSize: crypt ? int(o, "sector_size", what, 1) : 512,
    flags: strList(o, "flags", what),
  };
}

/** Checks and converts the parsed JSON value of a LUKS2 metadata area. */
export function parseLuks2Json(value: unknown): Luks2Json {
  const root = obj(value, "metadata");
  const keyslots: Record<string, Luks2Keyslot> = {};
  for (const [id, o] of entries(root["keyslots"], "keyslots")) {
    keyslots[id] = parseKeyslot(o, `keyslots.${id}`);
  }
  const digests: Record<string, Luks2Digest> = {};
  for (const [id, o] of entries(root["digests"], "digests")) {
    digests[id] = parseDigest(o, `digests.${id}`);
  }
  const segments: Record<string, Luks2SegmentJson> = {};
  for (const [id, o] of entries(root["segments"], "segments")) {
    segments[id] = parseSegment(o, `segments.${id}`);
  }
  const config = obj(root["config"], "config");
  const req = config["requirements"] === undefined ? [] : strList(
    obj(config["requirements"], "config.requirements"),
    "mandatory",
    "config.requirements",
  );
  const tokens = root["tokens"] === undefined ? {} : obj(root["tokens"], "tokens");
  return {
    keyslots,
    digests,
    segments,
    config: {
      jsonSize: u64(config, "json_size", "config"),
      keyslotsSize: u64(config, "keyslots_size", "config"),
      flags: strList(config, "flags", "config"),
      requirements: req,
    },
    tokenCount: Object.keys(tokens).length,
  };
}
