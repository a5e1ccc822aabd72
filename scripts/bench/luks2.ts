/**
 * The LUKS2 engine: AES-XTS throughput on 64 MiB against OpenSSL's AES-256-XTS on 4 KiB blocks
 * (`openssl enc` refuses XTS, so `openssl speed -evp aes-256-xts` is the reference),
 * and opening a Paradux vault with the everyday passphrase (cryptsetup's default argon2id
 * keyslot) and reading its documents against `cryptsetup luksDump --dump-volume-key` on the same
 * vault file.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, medianMs } from "./harness.ts";
import { encryptSegment, parseLuks2Header } from "../../crypto/luks2/mod.ts";
import { createVault, openVault, vaultPath } from "../../vault/vault.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const MIB = 1024 * 1024;

async function randomBytes(n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, off + 65536));
  return await Promise.resolve(out);
}

/** OpenSSL's AES-256-XTS throughput in bytes/s on 4096-byte blocks. */
async function opensslXtsBytesPerSecond(): Promise<number> {
  const out = await new Deno.Command("openssl", {
    args: ["speed", "-seconds", "2", "-bytes", "4096", "-evp", "aes-256-xts"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const m = /AES-256-XTS\s+([\d.]+)k/i.exec(new TextDecoder().decode(out.stdout));
  if (m?.[1] === undefined) throw new Error("could not read openssl speed output");
  return Number(m[1]) * 1000;
}

/** AES-XTS: engine vs openssl, 64 MiB. */
async function benchXts(): Promise<BenchRow> {
  const size = 64 * MIB;
  const data = await randomBytes(size);
  const key = await randomBytes(64);
  const seg = {
    offset: 0,
    sectorSize: 4096,
    ivTweak: 0,
    cipher: "aes-xts-plain64",
    size: "dynamic" as const,
  };
  const engine = await medianMs(() => Promise.resolve(encryptSegment(seg, key, 0, data)), 3);
  const openssl = size / (await opensslXtsBytesPerSecond()) * 1000;
  const mbps = (ms: number) => (size / MIB / (ms / 1000)).toFixed(0);
  return {
    name: "AES-XTS encrypt 64 MiB",
    paradux: engine,
    reference: openssl,
    referenceName: "openssl speed -evp aes-256-xts (4 KiB blocks)",
    unit: "ms",
    note: `engine ${mbps(engine)} MB/s, openssl ${mbps(openssl)} MB/s; openssl enc refuses xts`,
  };
}

/**
 * Vault open+read with the everyday passphrase (cryptsetup's default argon2id keyslot, as
 * `paradux init` makes it): Paradux's openVault (parse, unlock, decrypt, read the documents) vs
 * `cryptsetup luksDump --dump-volume-key` (unlock only) on the same vault file. Two rows: as
 * Paradux runs on its server (cryptsetup unlocks the argon2 keyslot) and on a borrowed machine
 * without cryptsetup (the engine alone, argon2 lanes on one thread).
 */
async function benchVaultOpen(tmp: string): Promise<BenchRow[]> {
  const home = join(tmp, "home");
  const pass = new TextEncoder().encode("bench everyday passphrase");
  await createVault(home, pass, { secrets: await newVaultSecrets(2), pbkdf: { type: "argon2id" } });
  const file = vaultPath(home);
  const kdf = parseLuks2Header(await Deno.readFile(file)).json.keyslots["0"]?.kdf;
  const withCryptsetup = await medianMs(() => openVault(home, pass), 3);
  const path = Deno.env.get("PATH") ?? "";
  Deno.env.set("PATH", "");
  let engineOnly: number;
  try {
    engineOnly = await medianMs(() => openVault(home, pass), 3);
  } finally {
    Deno.env.set("PATH", path);
  }
  const reference = await medianMs(async () => {
    const c = new Deno.Command("cryptsetup", {
      args: [
        "luksDump",
        "--dump-volume-key",
        "--batch-mode",
        "--key-file",
        "-",
        file,
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const wr = c.stdin.getWriter();
    await wr.write(pass);
    await wr.close();
    if (!(await c.status).success) throw new Error("cryptsetup luksDump --dump-volume-key failed");
  }, 3);
  const kdfNote = kdf?.type === "argon2id"
    ? `argon2id t=${kdf.time} m=${Math.round(kdf.memory / 1024)} MiB p=${kdf.cpus}`
    : (kdf?.type ?? "?");
  const row = {
    reference,
    referenceName: "cryptsetup luksDump --dump-volume-key",
    unit: "ms",
  };
  return [
    {
      ...row,
      name: "vault open+read (everyday passphrase)",
      paradux: withCryptsetup,
      note: `${kdfNote}; cryptsetup unlocks, the engine reads`,
    },
    {
      ...row,
      name: "vault open+read, no cryptsetup on PATH",
      paradux: engineOnly,
      note: `${kdfNote}; the engine alone: argon2 lanes on 1 thread`,
    },
  ];
}

/** Both LUKS2 rows. */
export async function benchLuks2(): Promise<BenchRow[]> {
  const tmp = await Deno.makeTempDir({ prefix: "paradux-bench-" });
  try {
    return [await benchXts(), ...(await benchVaultOpen(tmp))];
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
