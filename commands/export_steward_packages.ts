/**
 * `paradux export-steward-packages [--steward ID] --out DIR [--usb DIR]` (alias
 * `create-steward-devices`, with `--usb`): writes each steward's package, `DIR/<id>/package.pdf`
 * and its text twin `package.txt` (0600, folders 0700), and `DIR/recovery-kit.html` (the offline
 * browser recovery page), and records the export date. `--usb DIR` writes a self-contained kit
 * per steward instead or as well: the package, the latest vault export, recovery-kit.html, the
 * Paradux binary when there is one, and a README.
 * @module
 */
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { ParaduxError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { KIT_FILE, recoveryKitHtml } from "../kit/html.ts";
import type { Documents } from "../vault/documents.ts";
import { printedDigests } from "../stewards/package_facts.ts";
import { issueShares, markExported } from "../stewards/shares.ts";
import {
  kitReadme,
  type PackageContext,
  renderStewardPackage,
  type StewardPackage,
} from "../stewards/steward_package.ts";
import { exportVault, saveVault, withVaultLock } from "../vault/vault.ts";
import { defineCommand } from "./_command.ts";
import { afterVaultChange } from "./_publish.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `export-steward-packages`. */
export interface ExportPackagesOptions extends PassphraseOptions {
  /** `--steward ID` (default: every steward). */
  steward?: string;
  /** `--out DIR`. */
  out?: string;
  /** `--usb DIR`. */
  usb?: string;
}

/** File names inside a steward's folder. */
export const PACKAGE_PDF = "package.pdf";
/** The text twin. */
export const PACKAGE_TXT = "package.txt";
/** The vault export in a kit. */
export const KIT_EXPORT = "vault-export.luks";
/** The binary in a kit. */
export const KIT_BINARY = "paradux";

/** The Paradux binary to copy into kits: the running executable when compiled, or dist/paradux. */
export async function paraduxBinary(): Promise<string | null> {
  const exe = Deno.execPath();
  if (!/^deno(\.exe)?$/.test(basename(exe))) return exe;
  const url = new URL("../dist/paradux", import.meta.url);
  if (url.protocol !== "file:") return null;
  const path = fileURLToPath(url);
  try {
    return (await Deno.stat(path)).isFile ? path : null;
  } catch {
    return null;
  }
}

function selected(docs: Documents, id: string | undefined): string[] {
  const ids = docs.stewards.stewards.map((s) => s.id);
  if (ids.length === 0) {
    throw new ParaduxError("not-found", "the vault names no stewards", {
      hint: "add them with 'paradux edit-stewards'",
    });
  }
  if (id === undefined) return ids;
  if (!ids.includes(id)) {
    throw new ParaduxError("not-found", `no steward with id ${id}`, {
      hint: `stewards: ${ids.join(", ")}`,
    });
  }
  return [id];
}

async function writePackage(dir: string, pkg: StewardPackage): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dir, PACKAGE_PDF), pkg.pdf, { mode: 0o600 });
  await writeFileAtomic(join(dir, PACKAGE_TXT), new TextEncoder().encode(pkg.text), {
    mode: 0o600,
  });
}

/** The `export-steward-packages` command. */
export const command = defineCommand<ExportPackagesOptions>({
  name: "export-steward-packages",
  aliases: ["create-steward-devices"],
  summary: "write each steward's package (letter, share, recovery card) and USB kits",
  description: "For every steward (or --steward ID) writes DIR/ID/package.pdf and package.txt: " +
    "a letter with your contact details, the stewards, the metadata locations and " +
    "instructions, the steward's share and the recovery card as QR codes and typed text. " +
    "--usb DIR writes a kit per steward (package, latest vault export, the Paradux binary, " +
    "README, recovery-kit.html). --out DIR also gets recovery-kit.html, the offline browser " +
    "page that recovers the vault without Paradux. The export date is recorded (see status-stewards).",
  options: [
    PASSPHRASE_OPTION,
    { flags: "--steward <id>", description: "only this steward" },
    { flags: "--out <dir>", description: "write packages to DIR/<steward-id>/" },
    { flags: "--usb <dir>", description: "write self-contained kits to DIR/<steward-id>/" },
  ],
  json: true,
  async run(options, deps) {
    const { io } = deps;
    if (options.out === undefined && options.usb === undefined) {
      throw new ParaduxError("usage", "--out DIR or --usb DIR is required", {
        hint: "e.g. paradux export-steward-packages --out ./packages",
      });
    }
    const ctx: PackageContext = { version: denoJson.version, now: new Date() };
    const written = await withVaultLock(deps.globals.home, async () => {
      let vault = await openHomeVault(options, deps);
      const issued = await issueShares(vault.docs, ctx.now);
      for (const s of issued.issued) io.err(`issued share ${s.index} to steward ${s.stewardId}`);
      const ids = selected(issued.docs, options.steward);
      const out: { steward: string; index: number; files: string[] }[] = [];
      const printed: Record<string, Record<string, string>> = {};
      let exported: string | null = null;
      const binary = options.usb === undefined ? null : await paraduxBinary();
      for (const id of ids) {
        io.progress(`package for ${id}...`);
        const pkg = await renderStewardPackage(issued.docs, id, ctx);
        printed[id] = printedDigests(pkg.facts);
        const files: string[] = [];
        if (options.out !== undefined) {
          await writePackage(join(options.out, id), pkg);
          files.push(join(options.out, id, PACKAGE_PDF), join(options.out, id, PACKAGE_TXT));
        }
        if (options.usb !== undefined) {
          const kit = join(options.usb, id);
          await writePackage(kit, pkg);
          const dest = join(kit, KIT_EXPORT);
          if (exported === null) {
            await exportVault(vault, dest);
            exported = dest;
          } else {
            await Deno.copyFile(exported, dest);
            await Deno.chmod(dest, 0o600);
          }
          if (binary !== null) {
            await Deno.copyFile(binary, join(kit, KIT_BINARY));
            await Deno.chmod(join(kit, KIT_BINARY), 0o755);
          }
          const readme = kitReadme(issued.docs, id, {
            export: KIT_EXPORT,
            binary: binary === null ? null : KIT_BINARY,
          }, ctx);
          await writeFileAtomic(join(kit, "README.txt"), new TextEncoder().encode(readme), {
            mode: 0o600,
          });
          await writeFileAtomic(join(kit, KIT_FILE), await recoveryKitHtml(), { mode: 0o644 });
          files.push(kit);
        }
        out.push({ steward: id, index: pkg.index, files });
      }
      if (options.out !== undefined) {
        await writeFileAtomic(join(options.out, KIT_FILE), await recoveryKitHtml(), {
          mode: 0o644,
        });
      }
      const secrets = markExported(issued.docs.secrets, ids, ctx.now, printed);
      vault = await saveVault(vault, { ...issued.docs, secrets });
      io.progress("", true);
      await afterVaultChange(vault, deps);
      if (options.usb !== undefined && binary === null) {
        io.err("note: no compiled Paradux binary found; the kits have none (deno task compile)");
      }
      return out;
    });
    if (deps.globals.json) io.json({ packages: written });
    else {
      for (const w of written) {
        io.out(`${w.steward}: share ${w.index} -> ${w.files.join(", ")}`);
      }
      io.out("give each steward their own package; destroy older packages they hold");
    }
  },
});
