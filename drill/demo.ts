/**
 * The demo's world: a throwaway temp directory that plays a laptop (Paradux home, the data,
 * the local copy), an offsite USB drive (the dataset's destination), two cloud folders (the
 * metadata locations), three stewards' drawers (their package PDFs) and a borrowed machine
 * (where recovery happens). Everything uses the `file` protocol, so the demo needs only
 * cryptsetup, rsync and poppler-utils (pdftoppm).
 *
 * {@link DEMO_PBKDF}: the demo's everyday keyslots use a cheap argon2id, because its vaults
 * live for a few seconds and are deleted; this is the demo's explicit setting and is used
 * nowhere else. The recovery keyslot, the recovery card and the shares are made as for real.
 * @module
 */
import { join } from "node:path";
import { fromHex, sha256, toHex } from "../crypto/hashes.ts";
import { ParaduxError } from "../errors.ts";
import { type PbkdfOptions, TEST_ARGON2ID } from "../system/cryptsetup.ts";
import { hasTool, TOOL_PACKAGES } from "../system/exec.ts";
import { walkTree } from "../system/tree.ts";
import type { Documents } from "../vault/documents.ts";
import type { ReconstructedSecret } from "../recovery/recovery.ts";
import { installSource } from "../recovery/recovery_source.ts";
import { type RecoveryPath, SURVIVOR_PATH } from "../recovery/survivor_path.ts";

/** The demo's explicit cheap KDF for everyday keyslots (throwaway vaults only). */
export const DEMO_PBKDF: PbkdfOptions = TEST_ARGON2ID;

/** Programs the demo runs. */
export const DEMO_TOOLS = ["cryptsetup", "rsync", "pdftoppm"] as const;

/**
 * Fails with the install command when a program the demo needs is missing.
 * @throws ParaduxError `missing-tool` naming every missing program and its Debian package.
 */
export function checkDemoTools(has: (tool: string) => boolean = hasTool): void {
  const missing = DEMO_TOOLS.filter((t) => !has(t));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((t) => TOOL_PACKAGES[t] ?? t))];
  throw new ParaduxError("missing-tool", `the demo needs ${missing.join(", ")}`, {
    hint: `install with: sudo apt-get install ${packages.join(" ")}`,
  });
}

/** The places of the demo's world. */
export interface DemoWorld {
  /** The temp directory holding everything. */
  root: string;
  /** The laptop: everything under it burns. */
  laptop: string;
  /** The Paradux home on the laptop. */
  home: string;
  /** The data (the dataset's source). */
  data: string;
  /** The local copy. */
  local: string;
  /** The offsite USB drive (destination). */
  usb: string;
  /** The two metadata locations. */
  clouds: [string, string];
  /** Where stewards keep their packages. */
  stewards: string;
  /** The borrowed machine. */
  borrowed: string;
}

/** Lays out the world's directories under a new temp directory. */
export async function makeDemoWorld(): Promise<DemoWorld> {
  const root = await Deno.makeTempDir({ prefix: "paradux-demo-" });
  const laptop = join(root, "laptop");
  const w: DemoWorld = {
    root,
    laptop,
    home: join(laptop, "paradux-home"),
    data: join(laptop, "documents"),
    local: join(laptop, "local-copy", "documents"),
    usb: join(root, "offsite-usb-drive"),
    clouds: [join(root, "cloud-a"), join(root, "cloud-b")],
    stewards: join(root, "stewards"),
    borrowed: join(root, "borrowed-machine"),
  };
  for (const d of [w.data, w.usb, w.stewards, w.borrowed, ...w.clouds]) {
    await Deno.mkdir(d, { recursive: true, mode: 0o700 });
  }
  return w;
}

/** `file://` URL of a local path. */
export function fileUrl(path: string): string {
  return `file://${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** The demo's files: small text, a nested folder, a unicode name, 200 KiB of random bytes. */
export async function writeDemoData(dir: string): Promise<Map<string, string>> {
  const random = new Uint8Array(200 * 1024);
  for (let at = 0; at < random.length; at += 65536) {
    crypto.getRandomValues(random.subarray(at, Math.min(random.length, at + 65536)));
  }
  const files: [string, Uint8Array][] = [
    ["letter to my future self.txt", text("Dear me,\nif you read this, the demo worked.\n")],
    ["taxes/2025/return.csv", text("year,amount\n2025,1234.56\n")],
    ["photos/été à la plage.jpg", random],
    ["passwords-hint.md", text("# hints\nthe everyday passphrase is in your head only\n")],
  ];
  for (const [path, data] of files) {
    const full = join(dir, path);
    await Deno.mkdir(join(full, ".."), { recursive: true });
    await Deno.writeFile(full, data);
  }
  return await treeDigest(dir);
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** SHA-256 (hex) of every file under `dir`, by relative path. */
export async function treeDigest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of walkTree(dir)) {
    if (!e.entry.isDirectory) out.set(e.rel, toHex(sha256(await Deno.readFile(e.path))));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The differences between two digests (empty when identical). */
export function digestDifferences(want: Map<string, string>, got: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, h] of want) {
    if (!got.has(p)) out.push(`missing ${p}`);
    else if (got.get(p) !== h) out.push(`different ${p}`);
  }
  for (const p of got.keys()) if (!want.has(p)) out.push(`extra ${p}`);
  return out;
}

/** What recovery from steward package PDFs gave. */
export interface PaperRecovery {
  /** The verified secret, as the survivor's path gives it. */
  secret: ReconstructedSecret;
  /** The reconstructed recovery mnemonic. */
  mnemonic: string;
  /** QR codes read from the PDFs. */
  codes: number;
  /** The share indices used. */
  indices: number[];
  /** True when the recovery card and every share verified with the vault key. */
  authenticated: boolean;
}

/**
 * Reads steward package PDFs on the survivor's path (pdftoppm + QR scanning, then the shares
 * verified against the recovery card printed in the same packages, as `paradux recover` does).
 */
export async function mnemonicFromPackagePdfs(
  pdfs: readonly string[],
  path: RecoveryPath = SURVIVOR_PATH,
): Promise<PaperRecovery> {
  const inputs = await path.read(pdfs);
  const secret = await path.secret(inputs);
  return {
    secret,
    mnemonic: secret.mnemonic,
    codes: inputs.length,
    indices: secret.shares.map((s) => s.index),
    authenticated: secret.authenticated,
  };
}

/**
 * Opens the vault copy at a metadata location on the survivor's path and installs it as the
 * vault of `home` with a new everyday passphrase (as `paradux recover --from URL --install`).
 */
export async function installFromLocation(
  url: string,
  secret: ReconstructedSecret,
  home: string,
  newPassphrase: Uint8Array,
  path: RecoveryPath = SURVIVOR_PATH,
): Promise<Documents> {
  const source = await path.open(url, secret);
  const vault = await installSource(home, source, secret, newPassphrase, { pbkdf: DEMO_PBKDF });
  return vault.docs;
}

/** The signing key's public half, for showing which vault signed what. */
export function shortKey(docs: Documents): string {
  return toHex(fromHex(docs.secrets.signingPublicKey).subarray(0, 8));
}
