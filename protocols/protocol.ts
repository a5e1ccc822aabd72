/**
 * The interface every data-transfer protocol implements. One protocol per file in protocols/,
 * exporting `protocol`; `deno task codegen` lists them in `registry.gen.ts`, and a location URL's
 * scheme picks the protocol. Registries reject duplicate schemes. Every protocol passes the shared
 * conformance suite in tests/integration/protocols/ against a real server on loopback.
 *
 * Roles of a location:
 * - a dataset *source*: `pull` mirrors it into the local copy (deletions included);
 * - a dataset *destination*: `push` adds a snapshot (a deletion at the source never destroys an
 *   older snapshot), `snapshots` reports what it holds, `restore` brings one back;
 * - a *metadata location*: `upload`/`download` of single files (the vault export), replacing
 *   the old copy atomically where the protocol allows.
 * - protocols that store plain files also implement `putDir`/`getDir`/`removeDir`/`listDirs`,
 *   which encrypted destinations (`encrypt: true`, protocols/archive.ts) use to store sealed
 *   snapshot archives.
 *
 * Protocols never print: they report through `ctx.progress` and return values or throw
 * ParaduxError (`tool-failed` for a failing transfer, `not-found` for a missing snapshot or file,
 * `input` for a bad URL or credentials). Secrets (passwords, keys) go to the tools through files
 * in `ctx.privateDir` or stdin, never argv or the environment of a logged command.
 * @module
 */

import type { ChainOptions } from "./chain.ts";

/** A location as written in the vault: URL plus protocol-specific credentials. */
export interface Location {
  /** Location URL; its scheme picks the protocol (e.g. `file:///mnt/usb/home`). */
  url: string;
  /** Protocol-specific credentials (see {@link ProtocolSpec.credentials}). */
  credentials?: Record<string, string>;
}

/** The protocol-level location of any place with a URL (a data or metadata location). */
export function locationOf(x: { url: string; credentials?: Record<string, string> }): Location {
  return x.credentials === undefined ? { url: x.url } : { url: x.url, credentials: x.credentials };
}

/** One credential key a protocol understands. */
export interface CredentialSpec {
  /** Key in the `credentials` object, e.g. `password`, `sshKey`. */
  name: string;
  /** Whether a location without it is invalid. */
  required: boolean;
  /** Whether it is a secret (masked in status output, kept out of job files it is not needed in). */
  secret: boolean;
  /** One line for the docs and validation messages. */
  description: string;
}

/** Progress of a long transfer, for a progress line on a TTY. */
export interface Progress {
  /** Bytes moved so far. */
  bytes: number;
  /** Total bytes when known. */
  totalBytes?: number;
  /** Current file or step, when known. */
  current?: string;
}

/** What every operation gets. */
export interface TransferContext {
  /** A private 0700 directory for secret files and staging (removed by the caller). */
  privateDir: string;
  /** The time of this run (snapshot ids derive from it). */
  now: Date;
  /** Called now and then during long transfers. */
  progress?: (p: Progress) => void;
  /** Aborts the transfer (Ctrl-C); the protocol kills its child processes. */
  signal?: AbortSignal;
}

/** What a transfer moved. */
export interface TransferStats {
  /** Bytes transferred (or stored) by this run, as far as the tool reports it. */
  bytes: number;
  /** Files (entries that are not directories) in the transferred tree, as far as known. */
  files: number;
  /**
   * What went wrong after the data was safe (e.g. removing old snapshots failed): the run still
   * counts as a success, and these are shown as warnings.
   */
  warnings?: string[];
}

/** One snapshot held at a destination. */
export interface Snapshot {
  /** Protocol-specific id (a dated directory name, a restic snapshot id...). */
  id: string;
  /** ISO 8601 time the snapshot was made. */
  time: string;
  /** For chained destinations: 0 for a full, n for the n-th increment after it. */
  level?: number;
}

/** Options of `push`. */
export interface PushOptions {
  /**
   * How many snapshots to keep restorable (older ones are removed after a successful push; on
   * chained destinations the parts those need back to their full stay, protocols/chain.ts).
   */
  keep?: number;
  /**
   * Chained destinations (s3, ftp): where the chain's local state lives, and when to make a
   * full. Without it every push is a full.
   */
  chain?: ChainOptions;
}

/** The declaration plus the operations of a protocol. */
export interface ProtocolSpec {
  /** Short name, e.g. `file`, `rsync+ssh`. */
  readonly name: string;
  /** URL schemes this protocol handles, without the colon (e.g. `file`, `rsync+ssh`). */
  readonly schemes: readonly string[];
  /** One line for `--help` and docs. */
  readonly summary: string;
  /** The credential keys it understands. */
  readonly credentials: readonly CredentialSpec[];
  /** Whether a location of this protocol can be a dataset source. */
  readonly canBeSource: boolean;
  /**
   * Whether it stores plain files (so `encrypt: true` applies and the dir operations exist);
   * false for protocols with their own encryption (restic).
   */
  readonly storesPlainFiles: boolean;

  /** Checks a location without contacting it: problems as messages (empty = valid). */
  validate(location: Location): string[];
  /**
   * The directory on this machine a location lives in, for protocols that write the local disk
   * (a `file://` directory, a local restic repository); undefined for remote ones or a URL it
   * cannot parse. The unattended service must be allowed to write there.
   */
  localPath?(url: string): string | undefined;
  /** Mirrors a source location into `dir` (creating it; files gone at the source are deleted). */
  pull(location: Location, dir: string, ctx: TransferContext): Promise<TransferStats>;
  /** Stores `dir` as a new snapshot at the destination. */
  push(
    dir: string,
    location: Location,
    ctx: TransferContext,
    options?: PushOptions,
  ): Promise<TransferStats & { snapshot: Snapshot }>;
  /** The snapshots a destination holds, oldest first (throws `tool-failed` when unreachable). */
  snapshots(location: Location, ctx: TransferContext): Promise<Snapshot[]>;
  /** Restores a snapshot (default: the newest) into the empty directory `dir`. */
  restore(
    location: Location,
    dir: string,
    ctx: TransferContext,
    snapshotId?: string,
  ): Promise<TransferStats>;
  /** Uploads one local file as `name` at the location, replacing an old copy atomically if possible. */
  upload(location: Location, file: string, name: string, ctx: TransferContext): Promise<void>;
  /** Downloads the file `name` from the location to the local path `file`. */
  download(location: Location, name: string, file: string, ctx: TransferContext): Promise<void>;

  /**
   * The destination's own integrity check, when the protocol has one (restic: `restic check`):
   * returns a short summary, throws `tool-failed` when it finds damage. Used by `drill`.
   */
  check?(location: Location, ctx: TransferContext): Promise<string>;

  /** Copies the local directory `dir` to `name` under the location (plain-file protocols). */
  putDir?(dir: string, location: Location, name: string, ctx: TransferContext): Promise<void>;
  /** Copies the directory `name` under the location into the local directory `dir`. */
  getDir?(location: Location, name: string, dir: string, ctx: TransferContext): Promise<void>;
  /** The directory names directly under the location. */
  listDirs?(location: Location, ctx: TransferContext): Promise<string[]>;
  /** Removes the directory `name` under the location. */
  removeDir?(location: Location, name: string, ctx: TransferContext): Promise<void>;
}

/** The scheme of a location URL (`rsync+ssh` for `rsync+ssh://host/path`), lowercased. */
export function schemeOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return m?.[1]?.toLowerCase() ?? "";
}
