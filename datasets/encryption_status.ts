/**
 * How each destination of a dataset is protected, for `status-datasets`: sealed archives to the
 * vault's age data key (with the generation new archives use), the protocol's own encryption
 * (restic), or none. Never returns an identity.
 * @module
 */
import { protocolFor } from "../protocols/lookup.ts";
import type { ProtocolSpec } from "../protocols/protocol.ts";
import { currentDataKey } from "./data_keys.ts";
import type { DatasetsDoc, Destination, SecretsDoc } from "../vault/documents.ts";

/** The protection of one destination. */
export interface DestinationEncryption {
  /** The destination's name. */
  destination: string;
  /**
   * `age`: sealed archives to the vault's data key; `protocol`: the protocol encrypts by itself
   * (restic); `none`: plain copies; `invalid`: `encrypt` on a protocol that cannot honour it.
   */
  mode: "age" | "protocol" | "none" | "invalid";
  /** For `protocol`: the protocol's name. */
  protocol?: string;
  /** For `age`: the data key generation new archives are encrypted to. */
  keyGeneration?: number;
  /** For `age`: that generation's recipient. */
  recipient?: string;
}

/** The protection of one destination; `list` defaults to the registered protocols. */
export function destinationEncryption(
  dest: Destination,
  secrets: SecretsDoc,
  list?: readonly ProtocolSpec[],
): DestinationEncryption {
  let protocol: ProtocolSpec | undefined;
  try {
    protocol = list === undefined ? protocolFor(dest.url) : protocolFor(dest.url, list);
  } catch {
    protocol = undefined;
  }
  if (protocol !== undefined && !protocol.storesPlainFiles) {
    return { destination: dest.name, mode: "protocol", protocol: protocol.name };
  }
  if (dest.encrypt !== true) return { destination: dest.name, mode: "none" };
  if (protocol === undefined) return { destination: dest.name, mode: "invalid" };
  const key = currentDataKey(secrets);
  return {
    destination: dest.name,
    mode: "age",
    keyGeneration: key.generation,
    recipient: key.recipient,
  };
}

/** Per dataset name, the protection of each destination. */
export function datasetsEncryption(
  datasets: DatasetsDoc,
  secrets: SecretsDoc,
  list?: readonly ProtocolSpec[],
): Record<string, DestinationEncryption[]> {
  return Object.fromEntries(
    datasets.datasets.map((
      ds,
    ) => [ds.name, ds.destinations.map((d) => destinationEncryption(d, secrets, list))]),
  );
}

/** One short phrase: `encrypted (age, key generation 2)`, `encrypted by restic`, `not encrypted`. */
export function encryptionLabel(e: DestinationEncryption): string {
  switch (e.mode) {
    case "age":
      return `encrypted (age, key generation ${e.keyGeneration})`;
    case "protocol":
      return `encrypted by ${e.protocol ?? "the protocol"}`;
    case "none":
      return "not encrypted";
    case "invalid":
      return "encrypt is set but the protocol is unknown";
  }
}
