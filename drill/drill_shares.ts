/**
 * The drill's share check, on the survivor's path: the typed text of k stewards' packages (their
 * share and the recovery card, as printed in package.txt) is written to files in a private
 * directory and read back, verified and combined exactly as `paradux recover` does
 * (recovery/survivor_path.ts): binding to the recovery card, set id, the vault key's signatures,
 * threshold. The secret must be the vault's recovery mnemonic, signed by the vault's key.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import type { Documents } from "../vault/documents.ts";
import type { ReconstructedSecret } from "../recovery/recovery.ts";
import { cardOf } from "../stewards/recovery_card.ts";
import { shareOf } from "../stewards/shares.ts";
import { type RecoveryPath, SURVIVOR_PATH } from "../recovery/survivor_path.ts";

/**
 * The secret that k stewards' package texts give through `path` (the last k stewards holding a
 * share, so the Lagrange weights are not the trivial ones of indices 1..k).
 * @throws ParaduxError `insufficient` when fewer than k named stewards hold a share; the
 *   recovery errors when a share or the card does not verify.
 */
export async function secretFromPackages(
  docs: Documents,
  path: RecoveryPath = SURVIVOR_PATH,
): Promise<ReconstructedSecret> {
  const secrets = docs.secrets;
  const k = secrets.threshold;
  const named = new Set(docs.stewards.stewards.map((s) => s.id));
  const held = secrets.issuedShares.filter((s) => named.has(s.stewardId));
  if (held.length < k) {
    throw new ParaduxError(
      "insufficient",
      `only ${held.length} named stewards hold a share; ${k} are needed`,
      { hint: "add stewards with 'paradux edit-stewards'" },
    );
  }
  const card = cardOf(secrets).recoveryText;
  return await withPrivateDir(async (dir) => {
    const files: string[] = [];
    for (const s of held.slice(-k)) {
      const text = `${shareOf(secrets, s.stewardId).text.replace(/\n$/, "")}\n\n${card}`;
      files.push(await dir.writeSecret(`${s.stewardId}-package.txt`, text));
    }
    return await path.secret(await path.read(files));
  });
}
