/**
 * The manifest (format.md sections 3-5): a canonical CBOR map describing the files of an
 * envelope, with `direct` or `prefix_table` path encoding and `raw` or `gzip` payload codec.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { CborFloat, type CborValue, decodeCanonicalMap, encodeCanonical, Fields } from "./cbor.ts";
import {
  MAX_DECOMPRESSED_PAYLOAD_BYTES,
  MAX_MANIFEST_CBOR_BYTES,
  MAX_MANIFEST_FILES,
} from "./limits.ts";
import { checkPath, compareCodePoints, normalizePath } from "./paths.ts";

/** One file of a manifest, with its reconstructed path. */
export interface ManifestFile {
  /** Relative path (NFC when Paradux wrote it). */
  path: string;
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the contents. */
  sha256: Uint8Array;
  /** Modification time in Unix seconds, or null. */
  mtime: number | null;
}

/** A decoded (or to-be-encoded) manifest. */
export interface Manifest {
  /** Creation time in Unix seconds (an int when Paradux wrote it). */
  created: number;
  /** True when the signing seed is not stored. */
  sealed: boolean;
  /** The Ed25519 signing seed (32 bytes) when not sealed. */
  seed: Uint8Array | null;
  /** "file", "directory" or "mixed". */
  inputOrigin: "file" | "directory" | "mixed";
  /** Leaf labels of directory sources. */
  inputRoots: string[];
  /** How the envelope stores the payload. */
  payloadCodec: "raw" | "gzip";
  /** Uncompressed payload length (gzip only). */
  payloadRawLen: number | null;
  /** How file paths are stored. */
  pathEncoding: "direct" | "prefix_table";
  /** The files in payload order. */
  files: ManifestFile[];
}

const WHAT = "manifest";

function fail(m: string): never {
  throw new ParaduxError("input", `${WHAT}: ${m}`);
}

function dirAndBase(path: string): [string, string] {
  const i = path.lastIndexOf("/");
  return i < 0 ? ["", path] : [path.slice(0, i), path.slice(i + 1)];
}

/** Sorts files by NFC path in code point order (the payload order). */
export function sortFiles<T extends { path: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => compareCodePoints(normalizePath(a.path), normalizePath(b.path)));
}

/** Canonical CBOR of a manifest; files must already be in payload order. */
export function encodeManifest(m: Manifest): Uint8Array {
  if (m.files.length === 0) throw new ParaduxError("input", "a backup needs at least one file");
  if (m.files.length > MAX_MANIFEST_FILES) {
    throw new ParaduxError("capacity", `more than ${MAX_MANIFEST_FILES} files`);
  }
  const seen = new Set<string>();
  for (const f of m.files) {
    checkPath(f.path, WHAT);
    const key = normalizePath(f.path);
    if (seen.has(key)) throw new ParaduxError("input", `duplicate path ${JSON.stringify(f.path)}`);
    seen.add(key);
  }
  const map = new Map<string, unknown>([
    ["version", 1],
    ["created", m.created],
    ["sealed", m.sealed],
    ["seed", m.sealed ? null : m.seed],
    ["input_origin", m.inputOrigin],
    ["input_roots", m.inputRoots],
    ["payload_codec", m.payloadCodec],
    ["path_encoding", m.pathEncoding],
  ]);
  if (m.payloadCodec === "gzip") map.set("payload_raw_len", m.payloadRawLen);
  if (m.pathEncoding === "direct") {
    map.set("files", m.files.map((f) => [f.path, f.size, f.sha256, f.mtime]));
  } else {
    const dirs = [...new Set(m.files.map((f) => dirAndBase(f.path)[0]))].filter((d) => d !== "");
    const prefixes = ["", ...dirs.sort(compareCodePoints)];
    map.set("path_prefixes", prefixes);
    map.set(
      "files",
      m.files.map((f) => {
        const [dir, base] = dirAndBase(f.path);
        return [prefixes.indexOf(dir), base, f.size, f.sha256, f.mtime];
      }),
    );
  }
  const bytes = encodeCanonical(map);
  if (bytes.length > MAX_MANIFEST_CBOR_BYTES) {
    throw new ParaduxError("capacity", `manifest exceeds ${MAX_MANIFEST_CBOR_BYTES} bytes`);
  }
  return bytes;
}

function int(v: CborValue | undefined, what: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  return fail(`${what} must be a non-negative integer`);
}

function mtimeOf(v: CborValue | undefined): number | null {
  if (v === null) return null;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  return fail("file mtime must be an integer or null");
}

function sha(v: CborValue | undefined): Uint8Array {
  if (v instanceof Uint8Array && v.length === 32) return v;
  return fail("file sha256 must be 32 bytes");
}

function textList(v: CborValue[], what: string): string[] {
  return v.map((x) => typeof x === "string" ? x : fail(`${what} must be a list of text`));
}

function decodeFiles(f: Fields, encoding: Manifest["pathEncoding"]): ManifestFile[] {
  const list = f.array("files");
  if (list.length === 0) fail("has no files");
  if (list.length > MAX_MANIFEST_FILES) fail(`has more than ${MAX_MANIFEST_FILES} files`);
  let prefixes: string[] = [];
  if (encoding === "prefix_table") {
    prefixes = textList(f.array("path_prefixes"), "path_prefixes");
    if (prefixes[0] !== "") fail("path_prefixes must start with an empty prefix");
    if (new Set(prefixes).size !== prefixes.length) fail("path_prefixes has duplicates");
  }
  const files = list.map((e): ManifestFile => {
    if (!Array.isArray(e)) {
      return fail("file entries must be arrays (map entries are out of profile)");
    }
    if (encoding === "direct") {
      if (e.length !== 4) fail("a direct file entry has 4 fields");
      const path = typeof e[0] === "string" && e[0] !== "" ? e[0] : fail("file path must be text");
      return { path, size: int(e[1], "file size"), sha256: sha(e[2]), mtime: mtimeOf(e[3]) };
    }
    if (e.length !== 5) fail("a prefix-table file entry has 5 fields");
    const idx = int(e[0], "prefix index");
    const prefix = prefixes[idx] ?? fail(`prefix index ${idx} is out of range`);
    const suffix = typeof e[1] === "string" && e[1] !== ""
      ? e[1]
      : fail("file suffix must be text");
    const path = prefix === "" ? suffix : `${prefix}/${suffix}`;
    return { path, size: int(e[2], "file size"), sha256: sha(e[3]), mtime: mtimeOf(e[4]) };
  });
  const seen = new Set<string>();
  for (const file of files) {
    checkPath(file.path, WHAT);
    const key = normalizePath(file.path);
    if (seen.has(key)) fail(`duplicate path ${JSON.stringify(file.path)}`);
    seen.add(key);
  }
  return files;
}

/** Decodes and validates manifest CBOR (canonical, stable v1 profile). */
export function decodeManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_CBOR_BYTES) fail(`exceeds ${MAX_MANIFEST_CBOR_BYTES} bytes`);
  const f = new Fields(decodeCanonicalMap(bytes, WHAT), WHAT);
  if (f.uint("version") !== 1) fail("unsupported manifest version");
  const createdRaw = f.map.get("created");
  const created = typeof createdRaw === "number"
    ? createdRaw
    : createdRaw instanceof CborFloat && Number.isFinite(createdRaw.value)
    ? createdRaw.value
    : fail("created must be a number");
  const sealed = f.bool("sealed");
  const seedRaw = f.map.get("seed");
  let seed: Uint8Array | null = null;
  if (sealed) {
    if (seedRaw !== null) fail("a sealed manifest must have a null seed");
  } else {
    seed = f.bytes("seed", 32);
  }
  const origin = f.text("input_origin");
  if (origin !== "file" && origin !== "directory" && origin !== "mixed") fail("bad input_origin");
  const roots = textList(f.array("input_roots"), "input_roots");
  if (roots.some((r) => r === "" || r.includes("/") || r.includes("\\"))) {
    fail("input_roots must be leaf labels");
  }
  if ((origin === "file") !== (roots.length === 0)) fail("input_roots do not fit input_origin");
  const encoding = f.text("path_encoding");
  if (encoding !== "direct" && encoding !== "prefix_table") fail("bad path_encoding");
  const codec = f.text("payload_codec");
  if (codec !== "raw" && codec !== "gzip") fail("bad payload_codec");
  const rawLenRaw = f.map.get("payload_raw_len");
  let payloadRawLen: number | null = null;
  if (codec === "raw") {
    if (rawLenRaw !== undefined && rawLenRaw !== null) fail("payload_raw_len is only for gzip");
  } else {
    payloadRawLen = int(rawLenRaw, "payload_raw_len");
    if (payloadRawLen < 1) fail("payload_raw_len must be positive");
    if (payloadRawLen > MAX_DECOMPRESSED_PAYLOAD_BYTES) {
      fail(`payload_raw_len exceeds ${MAX_DECOMPRESSED_PAYLOAD_BYTES}`);
    }
  }
  const files = decodeFiles(f, encoding);
  const total = files.reduce((n, x) => n + x.size, 0);
  if (payloadRawLen !== null && payloadRawLen !== total) {
    fail("payload_raw_len is not the sum of file sizes");
  }
  return {
    created,
    sealed,
    seed,
    inputOrigin: origin,
    inputRoots: roots,
    payloadCodec: codec,
    payloadRawLen,
    pathEncoding: encoding,
    files,
  };
}
