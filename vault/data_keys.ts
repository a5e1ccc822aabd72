/**
 * Generations of the vault's age X25519 data key. The current key is `ageIdentity` /
 * `ageRecipient` in the secrets document (generation `dataKeyGeneration`, absent = 1); every
 * `change-secrets --data-key` moves it to `retiredDataKeys` and makes a new one, so copies
 * encrypted to an older generation stay restorable. Unattended jobs get only recipients
 * ({@link currentDataKey}`.recipient`); restoring uses {@link allDataKeys}.
 * @module
 */
import { generateDataKey } from "../crypto/age_x25519.ts";
import type { DataKeyEntry, SecretsDoc } from "./documents.ts";

export type { DataKeyEntry } from "./documents.ts";

/** The generation of the current data key. */
export function currentGeneration(secrets: SecretsDoc): number {
  return secrets.dataKeyGeneration ?? 1;
}

/** The current data key (the one new archives are encrypted to). */
export function currentDataKey(secrets: SecretsDoc): DataKeyEntry {
  return {
    generation: currentGeneration(secrets),
    identity: secrets.ageIdentity,
    recipient: secrets.ageRecipient,
    createdAt: secrets.dataKeyCreatedAt ?? secrets.createdAt,
  };
}

/** Every data key, newest generation first (the current one, then the retired ones). */
export function allDataKeys(secrets: SecretsDoc): DataKeyEntry[] {
  const retired = [...(secrets.retiredDataKeys ?? [])].sort((a, b) => b.generation - a.generation);
  return [currentDataKey(secrets), ...retired];
}

/** The data key of one generation, if the vault still has it. */
export function dataKeyOf(secrets: SecretsDoc, generation: number): DataKeyEntry | undefined {
  return allDataKeys(secrets).find((k) => k.generation === generation);
}

/**
 * A copy of `secrets` with a new current data key (generation + 1); the old key is kept in
 * `retiredDataKeys`. Returns the new secrets and the new key.
 */
export async function rotateDataKey(
  secrets: SecretsDoc,
  now = new Date(),
): Promise<{ secrets: SecretsDoc; key: DataKeyEntry }> {
  const old = currentDataKey(secrets);
  const fresh = await generateDataKey();
  const key: DataKeyEntry = {
    generation:
      Math.max(old.generation, ...(secrets.retiredDataKeys ?? []).map((k) => k.generation)) +
      1,
    identity: fresh.identity,
    recipient: fresh.recipient,
    createdAt: now.toISOString(),
  };
  return {
    key,
    secrets: {
      ...secrets,
      ageIdentity: key.identity,
      ageRecipient: key.recipient,
      dataKeyGeneration: key.generation,
      dataKeyCreatedAt: key.createdAt,
      retiredDataKeys: [...(secrets.retiredDataKeys ?? []), old],
    },
  };
}
