/**
 * Pure argument builders for GNU tar, the one archiver of snapshot chains (s3, ftp and every
 * `encrypt: true` destination).
 *
 * A chain is GNU tar `--listed-incremental` levels: the first archive (level 0, a full) is made
 * with a fresh snapshot file (`.snar`); each later archive is made with a COPY of the previous
 * one's snapshot file and holds only what changed, plus, for every directory, the list of names
 * it holds, so extracting with `--listed-incremental=/dev/null` deletes what was removed or
 * renamed. Extracting the full and then each increment in order rebuilds the tree exactly
 * (modes, symlinks, empty dirs, hard links, sparse files; `--format=posix` keeps long and odd
 * names). Without Paradux: `tar --listed-incremental=/dev/null -xpf PART -C DIR` per part.
 * @module
 */

/** Options of {@link tarCreateArgs}. */
export interface TarCreateOptions {
  /**
   * The snapshot file for `--listed-incremental` (tar updates it in place): missing or empty
   * makes a full, the previous archive's file makes an increment. Absent: a plain archive.
   */
  snapshotFile?: string;
}

/** Tar arguments that write a POSIX archive of `dir`'s contents to stdout. */
export function tarCreateArgs(dir: string, options: TarCreateOptions = {}): string[] {
  const incremental = options.snapshotFile === undefined
    ? []
    : [`--listed-incremental=${options.snapshotFile}`, "--no-check-device"];
  return [
    "--create",
    "--format=posix",
    "--sparse",
    "--numeric-owner",
    ...incremental,
    "--file=-",
    "--directory",
    dir,
    ".",
  ];
}

/** Options of {@link tarExtractArgs}. */
export interface TarExtractOptions {
  /**
   * Extract a chain part: `--listed-incremental=/dev/null`, so names a directory no longer
   * lists (deleted or renamed at the source) are removed from `dir`.
   */
  incremental?: boolean;
}

/** Tar arguments that extract a POSIX archive from stdin into `dir`. */
export function tarExtractArgs(dir: string, options: TarExtractOptions = {}): string[] {
  return [
    "--extract",
    ...(options.incremental === true ? ["--listed-incremental=/dev/null"] : []),
    "--file=-",
    "--directory",
    dir,
    "--numeric-owner",
    "--preserve-permissions",
  ];
}
