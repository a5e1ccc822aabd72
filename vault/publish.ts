/**
 * Publishing the vault: one checked export (everyday keyslot removed, see
 * {@link exportVault}) uploaded as {@link EXPORT_NAME} to every metadata location through its
 * protocol's `upload` (which replaces the old copy atomically where the protocol allows).
 *
 * A failure at one location does not stop the others: every location gets a result, and the
 * caller decides what to report. Only a failing export (nothing to upload) throws.
 * @module
 */
import { failureOf, ParaduxError } from "../errors.ts";
import { locationOf, type ProtocolSpec } from "../protocols/protocol.ts";
import { protocolFor } from "../protocols/lookup.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import type { MetadataLocation } from "./documents.ts";
import { exportVault, type OpenedVault } from "./vault.ts";

/** The file name of the vault export at every metadata location. */
export const EXPORT_NAME = "vault-export.luks";

/** What happened at one metadata location. */
export interface PublishResult {
  /** The location's name. */
  location: string;
  /** Its URL. */
  url: string;
  /** True when the upload finished. */
  ok: boolean;
  /** Why it failed (one line), when it did. */
  error?: string;
  /** What to do about the failure, when known. */
  hint?: string;
  /** Milliseconds the upload took. */
  ms: number;
}

/** The outcome of {@link publishVault}. */
export interface PublishReport {
  /** Size of the uploaded export in bytes. */
  exportSize: number;
  /** One result per location, in document order. */
  results: PublishResult[];
}

/** Options of {@link publishVault}. */
export interface PublishOptions {
  /** Only these location names (default: all); unknown names are a `usage` error. */
  only?: readonly string[];
  /** The time of this run (default now). */
  now?: Date;
  /** Finds the protocol of a URL (default: the registry, {@link protocolFor}). */
  lookup?: (url: string) => ProtocolSpec;
  /** Called before each location's upload. */
  onLocation?: (location: MetadataLocation) => void;
}

/** The metadata locations selected by `only` (all when absent). */
export function selectLocations(
  all: readonly MetadataLocation[],
  only: readonly string[] | undefined,
): MetadataLocation[] {
  if (only === undefined || only.length === 0) return [...all];
  for (const name of only) {
    if (!all.some((l) => l.name === name)) {
      throw new ParaduxError("usage", `no metadata location named ${name}`, {
        hint: `known: ${
          all.map((l) => l.name).join(", ") || "none"
        } (paradux edit-metadata-locations)`,
      });
    }
  }
  return all.filter((l) => only.includes(l.name));
}

/**
 * Exports the vault once and uploads it to each selected metadata location.
 * @throws ParaduxError `not-found` when the vault names no metadata location; the export's
 *   errors when the export fails its checks (nothing is uploaded then).
 */
export async function publishVault(
  vault: OpenedVault,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const locations = selectLocations(vault.docs["metadata-locations"].locations, options.only);
  if (locations.length === 0) {
    throw new ParaduxError("not-found", "the vault names no metadata location", {
      hint: "add one with 'paradux edit-metadata-locations'",
    });
  }
  const lookup = options.lookup ?? protocolFor;
  const now = options.now ?? new Date();
  return await withPrivateDir(async (dir) => {
    const file = dir.path(EXPORT_NAME);
    const report = await exportVault(vault, file);
    const results: PublishResult[] = [];
    for (const m of locations) {
      options.onLocation?.(m);
      const started = performance.now();
      try {
        const protocol = lookup(m.url);
        await withPrivateDir((scratch) =>
          protocol.upload(locationOf(m), file, EXPORT_NAME, { privateDir: scratch.dir, now })
        );
        results.push({ location: m.name, url: m.url, ok: true, ms: elapsed(started) });
      } catch (e) {
        results.push({
          location: m.name,
          url: m.url,
          ok: false,
          ...failureOf(e),
          ms: elapsed(started),
        });
      }
    }
    return { exportSize: report.size, results };
  });
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * The error a publish with failures ends in: `partial` when some locations took the export,
 * `tool-failed` when none did; null when every location succeeded.
 */
export function publishError(report: PublishReport): ParaduxError | null {
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length === 0) return null;
  const names = failed.map((r) => r.location).join(", ");
  const some = failed.length < report.results.length;
  return new ParaduxError(
    some ? "partial" : "tool-failed",
    `publishing failed at ${failed.length} of ${report.results.length} metadata locations: ${names}`,
    { hint: "fix those locations, then run 'paradux publish-metadata' again" },
  );
}

/**
 * Downloads the vault export published at a metadata location URL into `dir` (for
 * `recover --from URL`). Returns its path, or null when no protocol handles the URL's scheme.
 * @throws ParaduxError `usage` when the location needs credentials (only the vault had them);
 * the protocol's errors (`not-found` when no export is there, `tool-failed`).
 */
export async function fetchPublishedExport(
  url: string,
  dir: string,
  lookup: (url: string) => ProtocolSpec = protocolFor,
): Promise<string | null> {
  let protocol: ProtocolSpec;
  try {
    protocol = lookup(url);
  } catch (e) {
    if (e instanceof ParaduxError && e.kind === "input") return null;
    throw e;
  }
  const problems = protocol.validate({ url });
  if (problems.length > 0) {
    throw new ParaduxError("usage", `cannot download from ${url}: ${problems.join("; ")}`, {
      hint: "download vault-export.luks with that service's own tools and pass its path to --from",
    });
  }
  const file = `${dir}/${EXPORT_NAME}`;
  await withPrivateDir((scratch) =>
    protocol.download({ url }, EXPORT_NAME, file, { privateDir: scratch.dir, now: new Date() })
  );
  return file;
}
