/**
 * `paradux status`: an overview of the vault (who, stewards and shares, datasets and their
 * destinations, metadata locations, settings). Never prints secrets.
 * @module
 */
import type { Documents } from "../vault/documents.ts";
import type { OpenedVault } from "../vault/vault.ts";
import { defineCommand } from "./_command.ts";
import { maskUrl, type StatusOptions } from "./_status.ts";
import { openHomeVault, PASSPHRASE_OPTION } from "./_vault.ts";

/** The overview as data (the `--json` output). */
export function overview(vault: OpenedVault, size: number): Record<string, unknown> {
  const d: Documents = vault.docs;
  return {
    vault: {
      path: vault.path,
      size,
      vaultId: d.secrets.vaultId,
      createdAt: d.secrets.createdAt,
      signingPublicKey: d.secrets.signingPublicKey,
      ageRecipient: d.secrets.ageRecipient,
      recoveryCard: d.secrets.recoveryCard !== null,
    },
    user: { name: d.user.name },
    stewards: {
      count: d.stewards.stewards.length,
      ids: d.stewards.stewards.map((s) => s.id),
      threshold: d.secrets.threshold,
      shareCapacity: d.settings.shareCapacity,
      issuedShares: d.secrets.issuedShares.length,
    },
    datasets: d.datasets.datasets.map((ds) => ({
      name: ds.name,
      source: maskUrl(ds.source.url),
      localCopy: ds.localCopy,
      destinations: ds.destinations.map((x) => ({
        name: x.name,
        url: maskUrl(x.url),
        frequency: x.frequency,
        encrypt: x.encrypt ?? false,
      })),
    })),
    metadataLocations: d["metadata-locations"].locations.map((l) => ({
      name: l.name,
      url: maskUrl(l.url),
    })),
    settings: d.settings,
  };
}

/** The overview as text lines. */
export function overviewLines(vault: OpenedVault, size: number): string[] {
  const d = vault.docs;
  const lines = [
    `vault:      ${vault.path} (${
      (size / 1048576).toFixed(1)
    } MiB, created ${d.secrets.createdAt})`,
    `user:       ${d.user.name}`,
    `stewards:   ${d.stewards.stewards.length} (${d.secrets.threshold} needed to recover, ` +
    `capacity ${d.settings.shareCapacity}, ${d.secrets.issuedShares.length} shares issued)`,
  ];
  for (const s of d.stewards.stewards) lines.push(`  ${s.id}: ${s.name}`);
  lines.push(`datasets:   ${d.datasets.datasets.length}`);
  for (const ds of d.datasets.datasets) {
    lines.push(`  ${ds.name}: ${maskUrl(ds.source.url)} -> ${ds.localCopy}`);
    for (const x of ds.destinations) {
      lines.push(
        `    ${x.name}: ${maskUrl(x.url)} (${x.frequency}${x.encrypt ? ", encrypted" : ""})`,
      );
    }
  }
  lines.push(`metadata locations: ${d["metadata-locations"].locations.length}`);
  for (const l of d["metadata-locations"].locations) lines.push(`  ${l.name}: ${maskUrl(l.url)}`);
  lines.push(`publish after edit: ${d.settings.publishAfterEdit ? "yes" : "no"}`);
  return lines;
}

/** The `status` command. */
export const command = defineCommand<StatusOptions>({
  name: "status",
  summary: "show an overview of the vault",
  description: "Stewards, shares, datasets and their destinations, metadata locations and " +
    "settings. Secrets and credentials are never shown.",
  options: [PASSPHRASE_OPTION],
  json: true,
  async run(options, deps) {
    const vault = await openHomeVault(options, deps);
    const size = (await Deno.stat(vault.path)).size;
    if (deps.globals.json) deps.io.json(overview(vault, size));
    else deps.io.out(overviewLines(vault, size).join("\n"));
  },
});
