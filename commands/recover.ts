/**
 * `paradux recover INPUT... --from SOURCE (--extract DIR | --install)`: the day everything is
 * lost. INPUTs are steward package PDFs, scans (PNG/JPEG), `.txt` twins, typed text files or
 * `-` (stdin), in any mix; or the 24 words (`--secret-file F`, a typed-in file, or asked on the
 * terminal). The card and every share are verified (authenticated unless `--rescue`), the
 * mnemonic must open SOURCE (a vault export, or the paper copy of the metadata), then the
 * documents are written out (`--extract`, no root or cryptsetup needed) or installed as the live
 * vault with a new everyday passphrase (`--install`).
 *
 * `--from URL` downloads the export published at a metadata location through its protocol
 * (vault/publish.ts `fetchPublishedExport`); locations that need credentials are downloaded by
 * hand first.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { canPrompt, promptPassword } from "../system/prompt.ts";
import { isLuksHead, type LabelledInput } from "../recovery/recovery.ts";
import { refuseExisting } from "../recovery/install.ts";
import { extractDocuments, installSource, readSecretText } from "../recovery/recovery_source.ts";
import { SURVIVOR_PATH } from "../recovery/survivor_path.ts";
import { keyFingerprint } from "../stewards/shares.ts";
import { defineCommand } from "./_command.ts";
import { kdfOf, newPassphrase, PASSPHRASE_OPTION } from "./_vault.ts";
import { vaultPath } from "../vault/vault.ts";

/** Options of `recover`. */
export interface RecoverOptions {
  /** The positional INPUTs. */
  inputs?: string[];
  /** `--from SOURCE`. */
  from?: string;
  /** `--extract DIR`. */
  extract?: string;
  /** `--install`. */
  install?: boolean;
  /** `--secret-file F`. */
  secretFile?: string;
  /** `--rescue` (alias `--allow-unsigned`). */
  rescue?: boolean;
  /** `--allow-unsigned`. */
  allowUnsigned?: boolean;
  /** `--force`. */
  force?: boolean;
  /** `--passphrase-file` (the new everyday passphrase for --install). */
  passphraseFile?: string;
}

/** Refuses a vault export given where a share is expected. */
function refuseExport(bytes: Uint8Array, name: string): void {
  if (!isLuksHead(bytes)) return;
  throw new ParaduxError("usage", `${name} is a vault export (LUKS2), not a steward package`, {
    hint: `give it to --from: paradux recover PACKAGE... --from ${name} --extract DIR`,
  });
}

/** The `recover` command. */
export const command = defineCommand<RecoverOptions>({
  name: "recover",
  summary: "recover the vault from stewards' shares (or the recovery secret)",
  description: "INPUTs: steward package PDFs, scans, package.txt files, typed text, '-' for " +
    "stdin; or the 24 words with --secret-file. Checks the recovery card and every share " +
    "(signed by the vault key; --rescue relaxes signature checks only), proves the recovery " +
    "secret opens --from (a vault export or the paper copy of the metadata), then writes the " +
    "documents to --extract DIR (no root or cryptsetup needed) or makes it the live vault " +
    "with a new everyday passphrase (--install; never over an existing vault without --force).",
  args: [{ name: "[inputs...]", description: "packages, scans, text files, or - for stdin" }],
  options: [
    { flags: "--from <source>", description: "a vault export file or the metadata paper copy" },
    { flags: "--extract <dir>", description: "write the documents into DIR" },
    { flags: "--install", description: "make it the live vault of --vault HOME" },
    { flags: "--secret-file <file>", description: "read the 24 words from FILE ('-': stdin)" },
    { flags: "--rescue", description: "accept unsigned or badly signed shares (says so)" },
    { flags: "--allow-unsigned", description: "same as --rescue" },
    { flags: "--force", description: "replace an existing vault or extracted documents" },
    {
      ...PASSPHRASE_OPTION,
      description: "read the new everyday passphrase (for --install) from FILE ('-': stdin)",
    },
  ],
  json: true,
  async run(options, deps) {
    const { io } = deps;
    const rescue = options.rescue === true || options.allowUnsigned === true;
    const inputsArg = options.inputs ?? [];
    if ((options.extract === undefined) === (options.install !== true)) {
      throw new ParaduxError("usage", "give exactly one of --extract DIR and --install", {
        hint: "e.g. paradux recover a.pdf b.pdf c.pdf --from vault-export.luks --extract out",
      });
    }
    if (options.from === undefined) {
      throw new ParaduxError("usage", "--from is required: where is the vault copy?", {
        hint: "a vault export (from a metadata location or a USB kit), or the paper copy",
      });
    }
    const stdinUsers = [
      inputsArg.includes("-"),
      options.secretFile === "-",
      options.passphraseFile === "-",
    ].filter(Boolean).length;
    if (stdinUsers > 1) {
      throw new ParaduxError("usage", "only one of the inputs can come from stdin ('-')");
    }
    if (options.install === true) {
      await refuseExisting(vaultPath(deps.globals.home), options.force === true);
    }
    let mnemonic: string | undefined;
    if (options.secretFile !== undefined) mnemonic = await readSecretText(options.secretFile);
    const inputs: LabelledInput[] = [];
    const path = deps.recovery ?? SURVIVOR_PATH;
    inputs.push(
      ...await path.read(inputsArg, {
        onWarning: (m) => io.err(`warning: ${m}`),
        onProgress: (m) => io.progress(m, m === ""),
        refuse: refuseExport,
        requireCodes: true,
      }),
    );
    if (inputs.length === 0 && mnemonic === undefined) {
      if (!canPrompt()) {
        throw new ParaduxError("usage", "no shares and no recovery secret given", {
          hint: "give the stewards' packages, or --secret-file FILE with the 24 words",
        });
      }
      mnemonic = await promptPassword("the 24 words of the recovery secret:");
    }
    const secret = await path.secret(inputs, {
      ...(mnemonic === undefined ? {} : { mnemonic }),
      rescue,
    });
    for (const w of secret.warnings) io.err(`warning: ${w}`);
    io.progress("opening the vault copy...");
    const source = await path.open(options.from, secret, rescue);
    io.progress("", true);
    for (const w of source.warnings) io.err(`warning: ${w}`);
    const summary: Record<string, unknown> = {
      via: secret.via,
      shares: secret.shares,
      card: secret.card === null ? null : {
        vaultId: secret.card.vaultId,
        owner: secret.card.owner,
        issuedAt: secret.card.issuedAt,
      },
      authenticated: secret.authenticated && !rescue,
      source: { kind: source.kind, path: options.from },
      vaultId: source.docs.secrets.vaultId,
      owner: source.docs.user.name,
      keyFingerprint: keyFingerprint(source.docs.secrets.signingPublicKey),
      warnings: [...secret.warnings, ...source.warnings],
    };
    if (!deps.globals.json) {
      io.out(
        secret.via === "shares"
          ? `rebuilt the recovery secret from shares ${
            secret.shares.map((s) => `${s.index} (${s.label})`).join(", ")
          }`
          : "using the recovery secret as given",
      );
      io.out(
        `it opens ${options.from}: vault ${source.docs.secrets.vaultId} of ` +
          `${source.docs.user.name}, key ${summary.keyFingerprint}`,
      );
      if (rescue || !secret.authenticated) {
        io.err("NOT AUTHENTICATED: signatures were not all checked (rescue mode)");
      }
    }
    if (options.extract !== undefined) {
      const files = await extractDocuments(options.extract, source.docs, options.force === true);
      summary.extracted = files;
      if (!deps.globals.json) io.out(`wrote ${files.length} documents to ${options.extract}`);
    } else {
      const passphrase = await newPassphrase(options.passphraseFile);
      io.progress("installing the vault...");
      const force = { force: options.force === true, pbkdf: kdfOf(deps).everyday };
      const vault = await installSource(deps.globals.home, source, secret, passphrase, force);
      io.progress("", true);
      summary.installed = vault.path;
      if (!deps.globals.json) {
        io.out(`installed ${vault.path}; your new everyday passphrase opens it`);
        io.out("next: paradux status, then export new steward packages if anything changed");
      }
    }
    if (deps.globals.json) io.json(summary);
  },
});
