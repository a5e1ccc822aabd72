/**
 * Checks shared by every protocol's `validate`: credentials against the protocol's declaration,
 * and the common part of a `scheme://` URL.
 * @module
 */
import type { CredentialSpec, Location } from "./protocol.ts";

/** Problems with a location's credentials: missing required keys, unknown keys, empty values. */
export function credentialProblems(
  specs: readonly CredentialSpec[],
  location: Location,
): string[] {
  const problems: string[] = [];
  const given = location.credentials ?? {};
  for (const spec of specs) {
    const value = given[spec.name];
    if (value === undefined) {
      if (spec.required) problems.push(`missing credential ${spec.name}: ${spec.description}`);
    } else if (typeof value !== "string" || value === "") {
      problems.push(`credential ${spec.name} is empty`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      problems.push(
        known.size === 0
          ? `unknown credential ${key}: this protocol takes none`
          : `unknown credential ${key} (known: ${[...known].join(", ")})`,
      );
    }
  }
  return problems;
}

/**
 * A location URL of `scheme` (`file`, `ftp`, ...) parsed, or the problem that stops any further
 * check: another scheme, not a URL, or a ? or # part (never part of a path unless escaped).
 */
export function parseSchemeUrl(url: string, scheme: string): URL | string {
  if (!url.toLowerCase().startsWith(`${scheme}://`)) return `${url} is not a ${scheme}:// URL`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${url} is not a valid URL`;
  }
  if (u.search !== "" || u.hash !== "") {
    return `${url} has a ? or # part; write them as %3F and %23`;
  }
  return u;
}
