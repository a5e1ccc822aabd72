/**
 * Checks shared by every protocol's `validate`: credentials against the protocol's declaration.
 * @module
 */
import type { CredentialSpec, Location } from "./_protocol.ts";

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
