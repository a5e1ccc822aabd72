/**
 * The LUKS2 engine: AES-XTS throughput on 64 MiB against OpenSSL's AES-256-XTS on 4 KiB blocks
 * (`openssl enc` refuses XTS, so `openssl speed -evp aes-256-xts` is the reference),
 * and unlocking a vault-like LUKS2 file (cryptsetup's default argon2id keyslot) against
 * `cryptsetup luksDump --dump-volume-key` on the same file.
 * @module
 */
import { join } from "node:path";
import { type BenchRow, medianMs } from "./harness.ts";
import {
  dataSegment,
  encryptSegment,
  parseLuks2Header,
  unlockVolumeKey,
} from "../../crypto/luks2/mod.ts";

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
    note: `engine ${mbps(engine)} MB/s, openssl ${mbps(openssl)} MB/s`,
  };
}

/** Unlock with cryptsetup's default argon2id: engine vs cryptsetup --dump-volume-key. */
async function benchUnlock(tmp: string): Promise<BenchRow> {
  const file = join(tmp, "vault.luks");
  const pass = "correct horse battery staple";
  await Deno.writeFile(file, new Uint8Array(4 * MIB));
  const fmt = new Deno.Command("cryptsetup", {
    args: [
      "luksFormat",
      "--batch-mode",
      "--type",
      "luks2",
      "--luks2-metadata-size",
      "16k",
      "--luks2-keyslots-size",
      "1m",
      "--key-file",
      "-",
      file,
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const w = fmt.stdin.getWriter();
  await w.write(new TextEncoder().encode(pass));
  await w.close();
  if (!(await fmt.status).success) throw new Error("cryptsetup luksFormat failed");
  const passBytes = new TextEncoder().encode(pass);
  const engine = await medianMs(async () => {
    const bytes = await Deno.readFile(file);
    const header = parseLuks2Header(bytes);
    await unlockVolumeKey(header, bytes, passBytes);
    dataSegment(header);
  }, 3);
  const reference = await medianMs(async () => {
    const c = new Deno.Command("cryptsetup", {
      args: ["luksDump", "--dump-volume-key", "--batch-mode", "--key-file", "-", file],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const wr = c.stdin.getWriter();
    await wr.write(passBytes);
    await wr.close();
    if (!(await c.status).success) throw new Error("cryptsetup luksDump --dump-volume-key failed");
  }, 3);
  return {
    name: "unlock LUKS2 (default argon2id)",
    paradux: engine,
    reference,
    referenceName: "cryptsetup luksDump --dump-volume-key",
    unit: "ms",
  };
}

/** Both LUKS2 rows. */
export async function benchLuks2(): Promise<BenchRow[]> {
  const tmp = await Deno.makeTempDir({ prefix: "paradux-bench-" });
  try {
    return [await benchXts(), await benchUnlock(tmp)];
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
