/**
 * Share issuing as part of saving an edit: when the stewards document is saved, every steward
 * without a share of the current set gets one (recorded in the same save), and stewards who
 * were removed but still hold a share are reported (only a new recovery secret revokes them).
 * @module
 */
import type { Documents, EditableName } from "../vault/documents.ts";
import { issueShares } from "../stewards/shares.ts";
import type { Io } from "./_io.ts";

/** The documents to save after an edit of `name`: with new stewards' shares issued. */
export async function withIssuedShares(
  name: EditableName,
  docs: Documents,
  io: Io,
): Promise<Documents> {
  if (name !== "stewards") return docs;
  const result = await issueShares(docs);
  for (const s of result.issued) io.err(`issued share ${s.index} to steward ${s.stewardId}`);
  if (result.issued.length > 0) {
    io.err("hint: give them their packages: paradux export-steward-packages --out DIR");
  }
  if (result.removed.length > 0) {
    io.err(
      `warning: ${result.removed.join(", ")} no longer named but still hold a valid share; ` +
        "run 'paradux change-secrets --recovery' to revoke it",
    );
  }
  return result.docs;
}
