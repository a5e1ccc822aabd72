/**
 * `paradux status-stewards`: the stewards with their share and package state: share index,
 * issue date, package export date, and whether the package they hold is current or stale (made
 * for an earlier recovery secret, or something it printed has changed since: a name, contact
 * details, the successor, the metadata locations, k...), with the reasons. Also names removed
 * stewards who still hold a valid share.
 * @module
 */
import type { Documents } from "../vault/documents.ts";
import { cardOf } from "../stewards/recovery_card.ts";
import { stewardPackageStatus } from "../stewards/package_facts.ts";
import { defineCommand } from "./_command.ts";
import type { StatusOptions } from "./_status.ts";
import { openHomeVault, PASSPHRASE_OPTION } from "./_vault.ts";

/** The `--json` document of `status-stewards`. */
export function stewardsStatus(docs: Documents): Record<string, unknown> {
  const named = new Set(docs.stewards.stewards.map((s) => s.id));
  const set = docs.secrets.shareSet;
  return {
    threshold: docs.secrets.threshold,
    card: docs.secrets.recoveryCard === null ? null : {
      docId: cardOf(docs.secrets).docIdHex,
      issuedAt: docs.secrets.recoveryCardIssuedAt ?? null,
    },
    shareSet: set === undefined
      ? null
      : { setId: set.setId, shareCount: set.shareCount, createdAt: set.createdAt },
    stewards: stewardPackageStatus(docs).map((st) => {
      const s = docs.stewards.stewards.find((x) => x.id === st.id);
      return { ...s, ...st };
    }),
    removedWithShares: docs.secrets.issuedShares.filter((s) => !named.has(s.stewardId)).map((
      s,
    ) => ({ id: s.stewardId, index: s.index })),
  };
}

const day = (iso: string | null) => iso === null ? "-" : iso.slice(0, 10);

/** The `status-stewards` command. */
export const command = defineCommand<StatusOptions>({
  name: "status-stewards",
  summary: "show the stewards, their shares and whether their packages are current",
  description: "Per steward: share index, issue date, package export date and state (current, " +
    "stale: their package holds an older recovery secret or prints something that has changed " +
    "since (the reasons are listed), not-exported, no-share).",
  options: [PASSPHRASE_OPTION],
  json: true,
  async run(options, deps) {
    const vault = await openHomeVault(options, deps);
    const status = stewardsStatus(vault.docs);
    if (deps.globals.json) {
      deps.io.json(status);
      return;
    }
    const rows = stewardPackageStatus(vault.docs);
    deps.io.out(
      `${vault.docs.secrets.threshold} of ${rows.length} stewards needed to recover`,
    );
    const width = Math.max(2, ...rows.map((r) => r.id.length));
    deps.io.out(`${"id".padEnd(width)}  share  issued      exported    state`);
    for (const r of rows) {
      deps.io.out(
        `${r.id.padEnd(width)}  ${String(r.index ?? "-").padStart(5)}  ${
          day(r.issuedAt)
            .padEnd(10)
        }  ${day(r.exportedAt).padEnd(10)}  ${r.state}`,
      );
    }
    for (const r of rows.filter((x) => x.state === "stale")) {
      deps.io.out(`${r.id}: stale: ${r.reasons.join("; ")}`);
    }
    if (rows.some((r) => r.state === "stale")) {
      deps.io.out("give them a new package: paradux export-steward-packages --out DIR");
    }
    const removed = status.removedWithShares as { id: string; index: number }[];
    for (const r of removed) {
      deps.io.err(
        `warning: ${r.id} (share ${r.index}) is no longer a steward but holds a valid share; ` +
          "run 'paradux change-secrets --recovery' to revoke it",
      );
    }
  },
});
