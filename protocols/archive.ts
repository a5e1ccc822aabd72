/**
 * Encrypted snapshot archives for destinations that store plain files (file, s3, ftp,
 * rsync+ssh to an untrusted host).
 *
 * One snapshot is a directory `<snapshot-id>/` holding:
 * - `data.tar.gz.age.000`, `.001`, ...: the parts. Their concatenation is ONE standard binary age
 *   file (X25519 recipients) of a gzip-compressed GNU tar `--listed-incremental` archive
 *   (system/tar.ts): a full, or the changes since the snapshot before it in its chain
 *   (protocols/chain.ts), so `cat data.tar.gz.age.* | age -d -i key.txt | gunzip |
 *   tar --listed-incremental=/dev/null -xpf - -C DIR`, for each id of the chain in order,
 *   restores it without Paradux.
 * - `manifest.json`: format, snapshot id, creation time, key generation, recipients, level and
 *   chain, and each part's size and SHA-256. It names no file of the dataset.
 *
 * Everything streams (tar -> gzip -> age -> parts on disk), so memory does not grow with the
 * dataset; only one part's hash state and a chunk are in memory at a time.
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { decryptStream, encryptStream } from "../crypto/age_x25519.ts";
import { spawnStreaming } from "../system/exec.ts";
import { syncDir, writeFileAtomic } from "../system/atomic.ts";
import { tarCreateArgs, tarExtractArgs } from "../system/tar.ts";
import { isChainLink } from "./chain.ts";
import { snapshotId } from "./snapshot_id.ts";

/** The manifest's format tag (v1, a plain full without chain fields, is still read). */
export const ARCHIVE_FORMAT = "paradux-archive-v2";

/** The format tag of manifests before chains. */
export const ARCHIVE_FORMAT_V1 = "paradux-archive-v1";

/** Default part size: 64 MiB. */
export const DEFAULT_PART_SIZE = 64 * 1024 * 1024;

/** One part of an archive. */
export interface ArchivePart {
  /** File name inside the snapshot directory. */
  name: string;
  /** Size in bytes. */
  bytes: number;
  /** Lowercase hex SHA-256 of the part. */
  sha256: string;
}

/** What `manifest.json` holds. */
export interface ArchiveManifest {
  /** {@link ARCHIVE_FORMAT} (or {@link ARCHIVE_FORMAT_V1} when read from an older snapshot). */
  format: typeof ARCHIVE_FORMAT | typeof ARCHIVE_FORMAT_V1;
  /** Snapshot id, also the directory name (protocols/snapshot_id.ts). */
  snapshot: string;
  /** 0 for a full, n for the n-th increment after it. */
  level: number;
  /** Ids from the chain's full to this snapshot, inclusive. */
  chain: string[];
  /** ISO time the archive was made. */
  created: string;
  /** Generation of the vault's data key the archive is encrypted to. */
  keyGeneration: number;
  /** The age recipients it is encrypted to. */
  recipients: string[];
  /** The parts in order. */
  parts: ArchivePart[];
  /** Sum of the parts' sizes. */
  totalBytes: number;
}

/** A snapshot id for a moment: `20261124T094500Z` (see protocols/snapshot_id.ts). */
export { snapshotId };

/** The name of part `i`. */
export function partName(i: number): string {
  return `data.tar.gz.age.${String(i).padStart(3, "0")}`;
}

/** Web (de)compression streams typed as byte transforms. */
function byteTransform(
  t: CompressionStream | DecompressionStream,
): TransformStream<Uint8Array, Uint8Array> {
  return t as unknown as TransformStream<Uint8Array, Uint8Array>;
}

/** A sink that cuts a byte stream into part files of at most `partSize` bytes, hashing each. */
function partWriter(
  dir: string,
  partSize: number,
  parts: ArchivePart[],
  onPart?: (part: ArchivePart, path: string) => Promise<void>,
): WritableStream<Uint8Array> {
  let file: Deno.FsFile | undefined;
  let hash = createHash("sha256");
  let size = 0;
  const close = async () => {
    if (file === undefined) return;
    await file.sync();
    file.close();
    file = undefined;
    const last = parts.at(-1);
    if (last !== undefined) {
      last.bytes = size;
      last.sha256 = hash.digest("hex");
      if (onPart !== undefined) await onPart(last, join(dir, last.name));
    }
  };
  const open = async () => {
    const name = partName(parts.length);
    file = await Deno.open(join(dir, name), { write: true, createNew: true, mode: 0o600 });
    parts.push({ name, bytes: 0, sha256: "" });
    hash = createHash("sha256");
    size = 0;
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      let rest = chunk;
      while (rest.length > 0) {
        if (file === undefined || size === partSize) {
          await close();
          await open();
        }
        const take = rest.subarray(0, partSize - size);
        for (let off = 0; off < take.length;) off += await file!.write(take.subarray(off));
        hash.update(take);
        size += take.length;
        rest = rest.subarray(take.length);
      }
    },
    async close() {
      if (file === undefined) await open(); // an empty stream still makes one part
      await close();
    },
    abort() {
      file?.close();
      file = undefined;
    },
  });
}

/** Options for {@link writeArchive}. */
export interface WriteArchiveOptions {
  /** The directory whose contents are archived. */
  sourceDir: string;
  /** Where the snapshot directory is created (it must not exist yet). */
  snapshotDir: string;
  /** age recipients. */
  recipients: string[];
  /** Key generation recorded in the manifest. */
  keyGeneration: number;
  /** Maximum part size in bytes. */
  partSize?: number;
  /** The snapshot's time (default now). */
  now?: Date;
  /** The snapshot id (default: {@link snapshotId} of `now`). */
  id?: string;
  /** Ids from the chain's full to this snapshot (default: `[id]`, a full). */
  chain?: string[];
  /** tar's `--listed-incremental` snapshot file (missing = a full); absent: a plain tar. */
  snapshotFile?: string;
  /**
   * Called once a part is complete on disk (before the next one starts); it may upload and then
   * remove the file, which bounds the local disk use to one part.
   */
  onPart?: (part: ArchivePart, path: string) => Promise<void>;
  /** Ctrl-C: stops tar and ends the write with `ParaduxError("interrupted")`. */
  signal?: AbortSignal;
}

/** Writes one encrypted snapshot (parts + manifest.json) and returns its manifest. */
export async function writeArchive(options: WriteArchiveOptions): Promise<ArchiveManifest> {
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isInteger(partSize) || partSize < 4096) {
    throw new ParaduxError("usage", `part size must be at least 4096 bytes, got ${partSize}`);
  }
  const now = options.now ?? new Date();
  await Deno.mkdir(options.snapshotDir, { recursive: false, mode: 0o700 });
  const id = options.id ?? snapshotId(now);
  const chain = options.chain ?? [id];
  const tar = spawnStreaming(
    "tar",
    tarCreateArgs(
      options.sourceDir,
      options.snapshotFile === undefined ? {} : { snapshotFile: options.snapshotFile },
    ),
  );
  const parts: ArchivePart[] = [];
  const stop = () => tar.kill();
  options.signal?.addEventListener("abort", stop);
  try {
    const gz = tar.stdout.pipeThrough(byteTransform(new CompressionStream("gzip")));
    const encrypted = await encryptStream(options.recipients, gz);
    await encrypted.pipeTo(partWriter(options.snapshotDir, partSize, parts, options.onPart));
    await tar.finished();
    options.signal?.throwIfAborted();
  } catch (e) {
    tar.kill();
    await Deno.remove(options.snapshotDir, { recursive: true }).catch(() => {});
    if (options.signal?.aborted === true) {
      throw new ParaduxError("interrupted", "the transfer was interrupted");
    }
    throw e;
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    snapshot: id,
    level: chain.length - 1,
    chain,
    created: now.toISOString(),
    keyGeneration: options.keyGeneration,
    recipients: [...options.recipients],
    parts,
    totalBytes: parts.reduce((n, p) => n + p.bytes, 0),
  };
  await writeFileAtomic(
    join(options.snapshotDir, "manifest.json"),
    JSON.stringify(manifest, null, 2) + "\n",
  );
  await syncDir(options.snapshotDir);
  return manifest;
}

/** Reads and checks a snapshot directory's manifest. */
export async function readManifest(snapshotDir: string): Promise<ArchiveManifest> {
  const path = join(snapshotDir, "manifest.json");
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", `no archive manifest at ${path}`);
    }
    throw new ParaduxError("input", `archive manifest ${path} is not valid JSON`, { cause: e });
  }
  const m = value as Partial<ArchiveManifest>;
  if (m?.format === ARCHIVE_FORMAT_V1 && typeof m.snapshot === "string") {
    m.level = 0;
    m.chain = [m.snapshot];
  }
  const partsOk = Array.isArray(m.parts) &&
    m.parts.every((p, i) =>
      p !== null && typeof p === "object" && p.name === partName(i) && Number.isInteger(p.bytes) &&
      typeof p.sha256 === "string" && /^[0-9a-f]{64}$/.test(p.sha256)
    );
  const linkOk = isChainLink({ ...m, bytes: 0 });
  const formatOk = m.format === ARCHIVE_FORMAT || m.format === ARCHIVE_FORMAT_V1;
  if (!formatOk || typeof m.snapshot !== "string" || !partsOk || !linkOk) {
    throw new ParaduxError("input", `archive manifest ${path} is not a ${ARCHIVE_FORMAT} manifest`);
  }
  return m as ArchiveManifest;
}

/** Checks every part's size and SHA-256 against the manifest; returns the problems found. */
export async function verifyParts(
  snapshotDir: string,
  manifest: ArchiveManifest,
): Promise<string[]> {
  const problems: string[] = [];
  for (const part of manifest.parts) {
    const path = join(snapshotDir, part.name);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch {
      problems.push(`${part.name}: missing`);
      continue;
    }
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of file.readable) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    if (bytes !== part.bytes) {
      problems.push(`${part.name}: ${bytes} bytes, manifest says ${part.bytes}`);
    } else if (hash.digest("hex") !== part.sha256) problems.push(`${part.name}: SHA-256 mismatch`);
  }
  return problems;
}

/** The parts concatenated, as one stream. */
function partsStream(snapshotDir: string, manifest: ArchiveManifest): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        if (reader === undefined) {
          const part = manifest.parts[index++];
          if (part === undefined) return controller.close();
          reader = (await Deno.open(join(snapshotDir, part.name), { read: true })).readable
            .getReader();
        }
        const { value, done } = await reader.read();
        if (done) {
          reader = undefined;
          continue;
        }
        controller.enqueue(value);
        return;
      }
    },
  });
}

/**
 * Verifies every part, then decrypts, decompresses and extracts the snapshot into `targetDir`
 * (which must exist). Nothing is extracted when a part is missing or damaged.
 */
export async function extractArchive(
  snapshotDir: string,
  identities: readonly string[],
  targetDir: string,
): Promise<ArchiveManifest> {
  const manifest = await readManifest(snapshotDir);
  const problems = await verifyParts(snapshotDir, manifest);
  if (problems.length > 0) {
    throw new ParaduxError(
      "input",
      `archive ${manifest.snapshot} is damaged: ${problems.join("; ")}`,
      {
        hint: "restore from another destination or an older snapshot",
      },
    );
  }
  await extractStream(partsStream(snapshotDir, manifest), identities, targetDir, manifest.snapshot);
  return manifest;
}

/**
 * Decrypts, decompresses and extracts one archive given as the stream of its concatenated parts
 * into `targetDir` (which must exist). A ParaduxError raised by `encrypted` (a damaged part)
 * passes through; other failures become an `auth` error naming `snapshot`.
 */
export async function extractStream(
  encrypted: ReadableStream<Uint8Array>,
  identities: readonly string[],
  targetDir: string,
  snapshot: string,
): Promise<void> {
  const plain = await decryptStream(identities, encrypted);
  const tar = spawnStreaming("tar", tarExtractArgs(targetDir, { incremental: true }), {
    stdin: "piped",
    stdout: "null",
  });
  try {
    await plain.pipeThrough(byteTransform(new DecompressionStream("gzip"))).pipeTo(tar.stdin);
  } catch (e) {
    tar.kill();
    await tar.finished().catch(() => {});
    if (e instanceof ParaduxError) throw e;
    throw new ParaduxError("auth", `cannot decrypt archive ${snapshot}`, {
      hint: "the archive was encrypted to another key, or it is damaged",
      cause: e,
    });
  }
  await tar.finished();
}
