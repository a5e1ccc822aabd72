/**
 * The survivor's path after the secret: where the vault copy comes from and where the
 * documents go. `paradux recover`, the drill and the demo all open their vault copies here
 * (with the secret from recovery/recovery.ts `reconstructSecret`, and the inputs from
 * paper/read_inputs.ts), so a drill or a demo that passes has run the code a survivor runs.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { framesOfInput, type RecoveryInput } from "../paper/inputs.ts";
import { readInputs } from "../paper/read_inputs.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import { missingPathMessage } from "../system/shown_path.ts";
import { stdinText } from "../system/stdin.ts";
import { DOCUMENT_NAMES, type Documents, documentText, fileNameOf } from "../vault/documents.ts";
import { documentsFromPaper } from "./metadata_paper.ts";
import { EXPORT_NAME, fetchPublishedExport } from "../vault/publish.ts";
import type { PbkdfOptions } from "../system/cryptsetup.ts";
import type { OpenedVault } from "../vault/vault.ts";
import {
  checkSourceDocs,
  framesPart,
  isLuksFile,
  type OpenedSource,
  openExport,
  type ReconstructedSecret,
  relabel,
} from "./recovery.ts";
import { installFromDocuments, installFromExport } from "./install.ts";

/**
 * The 24 words from a file, or from stdin for `-`.
 * @throws ParaduxError `not-found` for a missing file.
 */
export async function readSecretText(path: string): Promise<string> {
  if (path === "-") return await stdinText();
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", missingPathMessage(path, "secret file"));
    }
    throw e;
  }
}

/** True when some input holds a share (a steward package given as --from by mistake). */
function hasShardFrames(values: RecoveryInput[]): boolean {
  try {
    return values.some((v, i) => framesOfInput(v, i + 1).some((f) => f.frame.type === "key"));
  } catch {
    return false;
  }
}

/**
 * Opens the vault copy a survivor names with `--from`: a vault export file, a `file://`
 * metadata location (its directory holds the export), the URL of another metadata location
 * (downloaded through its protocol), or the paper copy of the metadata (scans or text). The
 * documents are checked against the secret (vault id, signer).
 * @throws ParaduxError `not-found`, `usage` (a steward package given instead), `auth`, `input`.
 */
export async function openRecoverySource(
  from: string,
  secret: ReconstructedSecret,
  rescue: boolean,
): Promise<OpenedSource & { warnings: string[] }> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from) && !from.startsWith("file://")) {
    return await withPrivateDir(async (dir) => {
      const path = await fetchPublishedExport(from, dir.dir);
      // the download is removed with `dir`: the documents go on, not the file
      if (path !== null) {
        return { ...await openRecoverySource(path, secret, rescue), exportPath: null };
      }
      throw new ParaduxError("usage", `no protocol handles ${from}`, {
        hint: "download the vault export yourself and pass its path to --from",
      });
    });
  }
  let path = from.startsWith("file://") ? decodeURIComponent(new URL(from).pathname) : from;
  // a metadata location's directory holds the published export
  if (from.startsWith("file://") && (await Deno.stat(path).catch(() => null))?.isDirectory) {
    path = join(path, EXPORT_NAME);
  }
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", missingPathMessage(path), {
        hint: "--from takes a vault export (vault-export.luks) or the paper copy of the metadata",
      });
    }
    throw e;
  }
  if (await isLuksFile(path)) {
    const docs = await openExport(path, secret.mnemonic);
    return {
      docs,
      kind: "export",
      exportPath: path,
      warnings: checkSourceDocs(docs, secret, rescue, path),
    };
  }
  const inputs = (await readInputs([path], { requireCodes: true })).map((i) =>
    typeof i.value === "string" ? framesPart(i.value) : i.value
  );
  if (hasShardFrames(inputs)) {
    throw new ParaduxError("usage", `${path} is a steward package, not a vault copy`, {
      hint: "give it as an INPUT; --from takes a vault export or the paper copy of the metadata",
    });
  }
  let paper;
  try {
    paper = await documentsFromPaper(inputs, secret.mnemonic, { rescue });
  } catch (e) {
    throw relabel(e, path);
  }
  return {
    docs: paper.docs,
    kind: "paper",
    exportPath: null,
    warnings: [...paper.warnings, ...checkSourceDocs(paper.docs, secret, rescue, path)],
  };
}

/**
 * Writes every document as a JSON file (0600) into `dir` (made 0700).
 * @throws ParaduxError `exists` when `dir` is not empty and `force` is not set.
 */
export async function extractDocuments(
  dir: string,
  docs: Documents,
  force: boolean,
): Promise<string[]> {
  try {
    const entries = [...Deno.readDirSync(dir)];
    if (entries.length > 0 && !force) {
      throw new ParaduxError("exists", `${dir} is not empty`, {
        hint: "choose a new directory, or pass --force to overwrite the documents in it",
      });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const name of DOCUMENT_NAMES) {
    const path = join(dir, fileNameOf(name));
    await writeFileAtomic(path, new TextEncoder().encode(documentText(docs[name])), {
      mode: 0o600,
    });
    written.push(path);
  }
  return written;
}

/**
 * Installs an opened vault copy as the live vault of `home` with a new everyday passphrase:
 * an export file is installed as it is (its recovery keyslot kept), documents from the paper
 * copy or a download make a new vault.
 * @throws ParaduxError `exists` when a vault is there and `force` is not set.
 */
export async function installSource(
  home: string,
  source: OpenedSource,
  secret: ReconstructedSecret,
  passphrase: Uint8Array,
  options: { force?: boolean; pbkdf?: PbkdfOptions } = {},
): Promise<OpenedVault> {
  return source.exportPath === null
    ? await installFromDocuments(home, source.docs, passphrase, options)
    : await installFromExport(home, source.exportPath, secret.mnemonic, passphrase, options);
}
