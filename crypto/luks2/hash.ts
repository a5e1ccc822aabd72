/**
 * The hash functions LUKS2 headers may name (header checksum, AF diffusion, PBKDF2, digests),
 * mapped to node:crypto and WebCrypto names. Anything else is an unsupported-header error.
 * @module
 */
import { createHash } from "node:crypto";
import { ParaduxError } from "../../errors.ts";

interface HashInfo {
  node: string;
  web: string | undefined;
  size: number;
}

const HASHES: Readonly<Record<string, HashInfo>> = {
  sha1: { node: "sha1", web: "SHA-1", size: 20 },
  sha256: { node: "sha256", web: "SHA-256", size: 32 },
  sha384: { node: "sha384", web: "SHA-384", size: 48 },
  sha512: { node: "sha512", web: "SHA-512", size: 64 },
};

/** The hash names this engine supports, as LUKS2 spells them. */
export const SUPPORTED_HASHES: readonly string[] = Object.keys(HASHES);

function info(name: string, what: string): HashInfo {
  const found = Object.hasOwn(HASHES, name) ? HASHES[name] : undefined;
  if (found === undefined) {
    throw new ParaduxError("input", `unsupported hash '${name}' in luks2 ${what}`, {
      hint: `supported hashes: ${SUPPORTED_HASHES.join(", ")}`,
    });
  }
  return found;
}

/** Digest size in bytes of a LUKS2 hash name; throws ParaduxError("input") when unsupported. */
export function hashSize(name: string, what = "header"): number {
  return info(name, what).size;
}

/** The WebCrypto name ("SHA-256") of a LUKS2 hash name. */
export function webHashName(name: string, what = "header"): string {
  const web = info(name, what).web;
  if (web === undefined) {
    throw new ParaduxError("input", `unsupported pbkdf2 hash '${name}' in luks2 ${what}`);
  }
  return web;
}

/** Hashes the concatenation of `parts` with the LUKS2-named hash. */
export function digest(name: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(info(name, "header").node);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
