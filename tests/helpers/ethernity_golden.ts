/**
 * Readers for the Ethernity golden vectors in tests/fixtures/ethernity-golden (see its README).
 * @module
 */
import { fileURLToPath } from "node:url";

/** Root of the copied golden vectors. */
export const GOLDEN_DIR = fileURLToPath(new URL("../fixtures/ethernity-golden/", import.meta.url));
/** The passphrase of every golden scenario. */
export const GOLDEN_PASSPHRASE = "stable-v1-baseline-passphrase";
/** Scenario ids. */
export const SCENARIOS = [
  "file_no_shard",
  "directory_no_shard",
  "mixed_no_shard",
  "sharded_embedded",
  "sharded_signing_sharded",
] as const;
/** QR transport profiles. */
export const PROFILES = ["raw", "base64"] as const;

/** Parses an EQPB container into its payloads. */
export function readEqpb(bytes: Uint8Array): Uint8Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== "EQPB" || bytes[4] !== 1) {
    throw new Error("not EQPB v1");
  }
  const count = dv.getUint32(5);
  const out: Uint8Array[] = [];
  let off = 9;
  for (let i = 0; i < count; i++) {
    const len = dv.getUint32(off);
    out.push(bytes.slice(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

/** The path of a scenario file. */
export function goldenPath(profile: string, scenario: string, name: string): string {
  return `${GOLDEN_DIR}golden/${profile}/${scenario}/${name}`;
}

/** Reads a scenario's EQPB payloads, or [] when the file does not exist. */
export function goldenPayloads(profile: string, scenario: string, name: string): Uint8Array[] {
  try {
    return readEqpb(Deno.readFileSync(goldenPath(profile, scenario, name)));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** A scenario's snapshot.json. */
export interface Snapshot {
  expected_file_sha256: Record<string, string>;
  expected_relative_paths: string[];
  manifest_projection: {
    files: { path: string; sha256: string; size: number }[];
    input_origin: string;
    input_roots: string[];
    sealed: boolean;
  };
  shard_payload_count: number;
}

/** Reads a scenario's snapshot. */
export function goldenSnapshot(profile: string, scenario: string): Snapshot {
  return JSON.parse(Deno.readTextFileSync(goldenPath(profile, scenario, "snapshot.json")));
}
