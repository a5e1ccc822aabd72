/**
 * Finding the protocol of a location URL, and validating a location without contacting it.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { type Location, type ProtocolSpec, schemeOf } from "./protocol.ts";
import { protocols } from "./registry.gen.ts";

/** Every scheme the given protocols handle, sorted. */
export function knownSchemes(list: readonly ProtocolSpec[] = protocols): string[] {
  return list.flatMap((p) => [...p.schemes]).sort();
}

/**
 * The protocol whose schemes include the URL's scheme.
 * @throws ParaduxError `input` naming the unknown scheme and listing the known ones.
 */
export function protocolFor(url: string, list: readonly ProtocolSpec[] = protocols): ProtocolSpec {
  const scheme = schemeOf(url);
  const found = list.find((p) => p.schemes.includes(scheme));
  if (found !== undefined) return found;
  const known = knownSchemes(list).map((s) => `${s}://`).join(", ");
  throw new ParaduxError(
    "input",
    scheme === ""
      ? `location ${JSON.stringify(url)} has no URL scheme`
      : `unknown location scheme "${scheme}" in ${url}`,
    { hint: `use one of ${known === "" ? "(no protocols are registered)" : known}` },
  );
}

/** Problems with a location (empty = valid): an unknown scheme, or what its protocol finds. */
export function validateLocation(
  location: Location,
  list: readonly ProtocolSpec[] = protocols,
): string[] {
  let protocol: ProtocolSpec;
  try {
    protocol = protocolFor(location.url, list);
  } catch (e) {
    if (e instanceof ParaduxError) return [`${e.message} (${e.hint ?? ""})`];
    throw e;
  }
  return protocol.validate(location);
}
