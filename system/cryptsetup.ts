/**
 * cryptsetup for LUKS2 header and keyslot work on plain files (no device-mapper, no root):
 * format, add a key, kill a slot, dump metadata, test a passphrase, dump the volume key.
 *
 * Pure argument builders (`*Args`) come with thin runners. Secrets never appear in argv: the
 * existing passphrase goes on stdin (`--key-file -`, read to EOF so any bytes work, newlines
 * included) and a second secret (the new passphrase, a volume key) travels in a 0600 file inside
 * a private directory that is removed afterwards.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { exec, stderrText, stdoutText } from "./exec.ts";
import { withPrivateDir } from "./private_dir.ts";

/** The program this module runs. */
export const CRYPTSETUP = "cryptsetup";

/**
 * Keyslots area of a Paradux vault: 992 KiB, so that the two 16 KiB metadata copies and the
 * keyslots area end exactly at 1 MiB, where cryptsetup's default 1 MiB alignment puts the data.
 * It holds three 512-bit keyslots (258,048 bytes each) and still leaves the room cryptsetup's
 * offline `reencrypt --decrypt` needs when two slots are in use.
 */
export const VAULT_KEYSLOTS_SIZE = 1_015_808;

/** Size of each of the two JSON metadata copies of a Paradux vault. */
export const VAULT_METADATA_SIZE = "16k";

/** Where the data segment of a vault made by {@link luksFormat} starts. */
export const VAULT_DATA_OFFSET = 1 << 20;

/** Key derivation for a new keyslot. Omitted fields are left to cryptsetup (benchmarked). */
export type PbkdfOptions =
  | {
    type: "argon2id" | "argon2i";
    /** Memory cost in KiB (`--pbkdf-memory`). */
    memoryKiB?: number;
    /** Time cost (`--pbkdf-force-iterations`); needs `memoryKiB` too. */
    iterations?: number;
    /** Threads (`--pbkdf-parallel`). */
    parallel?: number;
    /** Benchmark target in ms (`--iter-time`) when iterations are not forced. */
    iterTimeMs?: number;
  }
  | {
    type: "pbkdf2";
    /** Hash for PBKDF2 (`--hash`, default sha256). */
    hash?: string;
    /** Iterations (`--pbkdf-force-iterations`, at least 1000). */
    iterations?: number;
    /** Benchmark target in ms (`--iter-time`) when iterations are not forced. */
    iterTimeMs?: number;
  };

/** Cheap argon2id for tests only (8 MiB, 4 passes, 1 thread). */
export const TEST_ARGON2ID: PbkdfOptions = {
  type: "argon2id",
  memoryKiB: 8192,
  iterations: 4,
  parallel: 1,
};

/** Cheap PBKDF2 for tests only (1000 iterations, cryptsetup's minimum). */
export const TEST_PBKDF2: PbkdfOptions = { type: "pbkdf2", iterations: 1000 };

/** Options for {@link luksFormat}. */
export interface LuksFormatOptions {
  /** Keyslot KDF; default argon2id with cryptsetup's benchmarked parameters. */
  pbkdf?: PbkdfOptions;
  /** Encryption sector size; cryptsetup's default is 4096 for files. */
  sectorSize?: 512 | 1024 | 2048 | 4096;
  /** XTS key size in bits: 512 (AES-256, the default) or 256 (AES-128). */
  keySize?: 256 | 512;
  /** Keyslot number for the first passphrase (default: cryptsetup picks 0). */
  keyslot?: number;
  /** Keyslots area size in bytes (default {@link VAULT_KEYSLOTS_SIZE}). */
  keyslotsSize?: number;
  /** LUKS2 label. */
  label?: string;
  /** UUID for the new header. */
  uuid?: string;
  /** Put the header in this file instead of at the start of the device (`--header`). */
  header?: string;
  /** Data offset in 512-byte sectors (`--offset`), e.g. 0 with a detached header. */
  offsetSectors?: number;
  /** Use this volume key file instead of a random key (`--volume-key-file`). */
  volumeKeyFile?: string;
}

/** The `--pbkdf...` arguments for a KDF choice. */
export function pbkdfArgs(pbkdf: PbkdfOptions): string[] {
  const args = ["--pbkdf", pbkdf.type];
  if (pbkdf.type === "pbkdf2") {
    if (pbkdf.hash !== undefined) args.push("--hash", pbkdf.hash);
  } else {
    if (pbkdf.memoryKiB !== undefined) args.push("--pbkdf-memory", String(pbkdf.memoryKiB));
    if (pbkdf.parallel !== undefined) args.push("--pbkdf-parallel", String(pbkdf.parallel));
  }
  if (pbkdf.iterations !== undefined) {
    args.push("--pbkdf-force-iterations", String(pbkdf.iterations));
  } else if (pbkdf.iterTimeMs !== undefined) {
    args.push("--iter-time", String(pbkdf.iterTimeMs));
  }
  return args;
}

/**
 * Arguments for `cryptsetup luksFormat` of a Paradux vault: LUKS2, aes-xts-plain64, 512-bit key,
 * 16 KiB metadata, the vault keyslots area; the passphrase is read from stdin.
 */
export function luksFormatArgs(file: string, opts: LuksFormatOptions = {}): string[] {
  const args = [
    "luksFormat",
    "--type",
    "luks2",
    "--batch-mode",
    "--cipher",
    "aes-xts-plain64",
    "--key-size",
    String(opts.keySize ?? 512),
    "--luks2-metadata-size",
    VAULT_METADATA_SIZE,
    "--luks2-keyslots-size",
    String(opts.keyslotsSize ?? VAULT_KEYSLOTS_SIZE),
    ...pbkdfArgs(opts.pbkdf ?? { type: "argon2id" }),
  ];
  if (opts.sectorSize !== undefined) args.push("--sector-size", String(opts.sectorSize));
  if (opts.keyslot !== undefined) args.push("--key-slot", String(opts.keyslot));
  if (opts.label !== undefined) args.push("--label", opts.label);
  if (opts.uuid !== undefined) args.push("--uuid", opts.uuid);
  if (opts.header !== undefined) args.push("--header", opts.header);
  if (opts.offsetSectors !== undefined) args.push("--offset", String(opts.offsetSectors));
  if (opts.volumeKeyFile !== undefined) args.push("--volume-key-file", opts.volumeKeyFile);
  args.push("--key-file", "-", file);
  return args;
}

/**
 * Formats `file` as a LUKS2 vault protected by `passphrase`.
 *
 * The file must already exist with its final size (e.g. made with `truncate`): cryptsetup
 * does not grow files, and the data segment is "dynamic" (runs to the end of the file). With the
 * defaults, the data segment starts at {@link VAULT_DATA_OFFSET}, so the file must be larger.
 */
export async function luksFormat(
  file: string,
  passphrase: Uint8Array,
  opts: LuksFormatOptions = {},
): Promise<void> {
  try {
    await Deno.stat(file);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new ParaduxError("not-found", `${file} does not exist`, {
      hint: "create the file with its final size first (e.g. truncate -s 3M file)",
    });
  }
  await run(luksFormatArgs(file, opts), passphrase);
}

/** Options for {@link luksAddKey}. */
export interface AddKeyOptions {
  /** KDF of the new keyslot. */
  pbkdf: PbkdfOptions;
  /** Keyslot number for the new key (default: the first free one). */
  keyslot?: number;
  /**
   * Authorise with the volume key in this 0600 file instead of an existing passphrase on stdin
   * (no keyslot is unlocked, so no KDF runs but the new keyslot's).
   */
  volumeKeyFile?: string;
}

/**
 * Arguments for `cryptsetup luksAddKey`: existing passphrase on stdin (or the volume key in
 * `opts.volumeKeyFile`), new one in `newKeyFile`.
 */
export function luksAddKeyArgs(file: string, newKeyFile: string, opts: AddKeyOptions): string[] {
  const args = ["luksAddKey", "--batch-mode", ...pbkdfArgs(opts.pbkdf)];
  if (opts.keyslot !== undefined) args.push("--new-key-slot", String(opts.keyslot));
  if (opts.volumeKeyFile !== undefined) args.push("--volume-key-file", opts.volumeKeyFile);
  else args.push("--key-file", "-");
  args.push(file, newKeyFile);
  return args;
}

/**
 * Adds a keyslot for `newPass`, authorised by an existing passphrase or by the volume key in a
 * 0600 file (`{ volumeKeyFile }`: no keyslot is unlocked); returns nothing, throws on failure.
 */
export async function luksAddKey(
  file: string,
  by: Uint8Array | { volumeKeyFile: string },
  newPass: Uint8Array,
  opts: Omit<AddKeyOptions, "volumeKeyFile">,
): Promise<void> {
  await withPrivateDir(async (dir) => {
    const keyFile = await dir.writeSecret("new-key", newPass);
    if (by instanceof Uint8Array) await run(luksAddKeyArgs(file, keyFile, opts), by);
    else await run(luksAddKeyArgs(file, keyFile, { ...opts, volumeKeyFile: by.volumeKeyFile }));
  });
}

/**
 * Arguments for `cryptsetup luksKillSlot`. With a passphrase (on stdin) cryptsetup checks that it
 * opens a different slot; without one, `--batch-mode` kills the slot unconditionally.
 */
export function luksKillSlotArgs(file: string, slot: number, withPassphrase: boolean): string[] {
  return withPassphrase
    ? ["luksKillSlot", "--key-file", "-", file, String(slot)]
    : ["luksKillSlot", "--batch-mode", file, String(slot)];
}

/** Wipes keyslot `slot`; `passOfAnotherSlot`, when given, must open a different slot. */
export async function luksKillSlot(
  file: string,
  slot: number,
  passOfAnotherSlot?: Uint8Array,
): Promise<void> {
  await run(luksKillSlotArgs(file, slot, passOfAnotherSlot !== undefined), passOfAnotherSlot);
}

/** Arguments for `cryptsetup luksDump --dump-json-metadata` (supported since cryptsetup 2.4). */
export function luksDumpArgs(file: string): string[] {
  return ["luksDump", "--dump-json-metadata", file];
}

/** One keyslot as {@link luksDump} reports it. */
export interface DumpKeyslot {
  /** Keyslot number. */
  id: number;
  /** "luks2" for passphrase slots, "reencrypt" during reencryption. */
  type: string;
  /** KDF type ("argon2id", "argon2i", "pbkdf2"), or undefined for non-key slots. */
  kdf: string | undefined;
  /** Volume key size in bytes. */
  keySize: number | undefined;
}

/** One segment as {@link luksDump} reports it. */
export interface DumpSegment {
  /** Segment number. */
  id: number;
  /** "crypt" or "linear". */
  type: string;
  /** Byte offset of the data. */
  offset: number;
  /** Byte length or "dynamic". */
  size: "dynamic" | number;
  /** Cipher, e.g. "aes-xts-plain64". */
  cipher: string | undefined;
  /** Sector size in bytes. */
  sectorSize: number | undefined;
}

/** The parts of the LUKS2 metadata Paradux checks. */
export interface LuksDump {
  /** Keyslots in id order. */
  keyslots: DumpKeyslot[];
  /** Segments in id order. */
  segments: DumpSegment[];
  /** Keyslots area size in bytes. */
  keyslotsSize: number;
  /** JSON area size in bytes. */
  jsonSize: number;
  /** Mandatory requirements (non-empty during an unfinished reencryption). */
  requirements: string[];
}

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Obj : {};
}

function asNum(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

function asStr(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function byId(v: unknown): [number, Obj][] {
  return Object.entries(asObj(v))
    .map(([id, o]): [number, Obj] => [Number(id), asObj(o)])
    .sort(([a], [b]) => a - b);
}

/** Parses the output of `luksDump --dump-json-metadata`; pure, exported for tests. */
export function parseLuksDumpJson(text: string): LuksDump {
  let root: Obj;
  try {
    root = asObj(JSON.parse(text));
  } catch {
    throw new ParaduxError("tool-failed", "cryptsetup luksDump printed malformed json");
  }
  const config = asObj(root["config"]);
  const req = asObj(config["requirements"])["mandatory"];
  return {
    keyslots: byId(root["keyslots"]).map(([id, k]) => ({
      id,
      type: asStr(k["type"]) ?? "",
      kdf: asStr(asObj(k["kdf"])["type"]),
      keySize: asNum(k["key_size"]),
    })),
    segments: byId(root["segments"]).map(([id, s]) => ({
      id,
      type: asStr(s["type"]) ?? "",
      offset: asNum(s["offset"]) ?? 0,
      size: s["size"] === "dynamic" ? "dynamic" : asNum(s["size"]) ?? 0,
      cipher: asStr(s["encryption"]),
      sectorSize: asNum(s["sector_size"]),
    })),
    keyslotsSize: asNum(config["keyslots_size"]) ?? 0,
    jsonSize: asNum(config["json_size"]) ?? 0,
    requirements: Array.isArray(req) ? req.filter((x) => typeof x === "string") : [],
  };
}

/** Reads the LUKS2 metadata of `file` with cryptsetup (no passphrase needed). */
export async function luksDump(file: string): Promise<LuksDump> {
  return parseLuksDumpJson(stdoutText(await run(luksDumpArgs(file))));
}

/** Arguments for `cryptsetup open --test-passphrase` (passphrase on stdin). */
export function testPassphraseArgs(file: string, keyslot?: number): string[] {
  const args = ["open", "--test-passphrase"];
  if (keyslot !== undefined) args.push("--key-slot", String(keyslot));
  args.push("--key-file", "-", file);
  return args;
}

/** cryptsetup's exit code for "no key available with this passphrase". */
export const EXIT_WRONG_PASSPHRASE = 2;

/** True when `pass` opens `file` (or the given keyslot); false for a wrong passphrase. */
export async function testPassphrase(
  file: string,
  pass: Uint8Array,
  keyslot?: number,
): Promise<boolean> {
  const result = await run(testPassphraseArgs(file, keyslot), pass, [EXIT_WRONG_PASSPHRASE]);
  return result.code === 0;
}

/**
 * Arguments for dumping the volume key into `keyFile` (passphrase on stdin). luksDump tries
 * every keyslot (cryptsetup 2.6 ignores `--key-slot` here).
 */
export function dumpVolumeKeyArgs(file: string, keyFile: string): string[] {
  return [
    "luksDump",
    "--dump-volume-key",
    "--batch-mode",
    "--volume-key-file",
    keyFile,
    "--key-file",
    "-",
    file,
  ];
}

/**
 * The volume key of `file` that `pass` opens, written by cryptsetup to a 0600 file in a private
 * directory (tmpfs when there is one) and removed at once.
 * @throws ParaduxError("auth") for a wrong passphrase.
 */
export async function dumpVolumeKey(file: string, pass: Uint8Array): Promise<Uint8Array> {
  return await withPrivateDir(async (dir) => {
    const keyFile = dir.path("volume-key");
    const result = await run(dumpVolumeKeyArgs(file, keyFile), pass, [EXIT_WRONG_PASSPHRASE]);
    if (result.code !== 0) throw wrongPassphrase();
    return await Deno.readFile(keyFile);
  });
}

function wrongPassphrase(): ParaduxError {
  return new ParaduxError("auth", "wrong passphrase (cryptsetup: no key available)", {
    hint: "check the passphrase and try again",
  });
}

/** Runs cryptsetup; maps a wrong passphrase to an auth error unless the caller accepts code 2. */
async function run(
  args: string[],
  stdin?: Uint8Array,
  okCodes: readonly number[] = [],
): ReturnType<typeof exec> {
  const result = await exec(CRYPTSETUP, args, {
    ...(stdin === undefined ? {} : { stdin }),
    check: false,
    env: { LC_ALL: "C" },
  });
  if (result.code === 0 || okCodes.includes(result.code)) return result;
  if (result.code === EXIT_WRONG_PASSPHRASE && stdin !== undefined) throw wrongPassphrase();
  const detail = stderrText(result).trim().split("\n").filter((l) => l !== "").at(-1) ?? "";
  throw new ParaduxError(
    "tool-failed",
    `cryptsetup ${args[0]} failed (exit ${result.code})${detail === "" ? "" : `: ${detail}`}`,
  );
}
