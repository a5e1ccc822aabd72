/**
 * Independence from Paradux: Python (Debian python3-pycryptodome) parses the stewards' share
 * frames itself (Ethernity v1 frame, canonical CBOR shard payload), rebuilds the recovery
 * mnemonic with PyCryptodome's GF(2^128) Shamir, and `cryptsetup open --test-passphrase`
 * accepts that mnemonic on the vault export.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { toHex } from "../../crypto/hashes.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import { issueShares, shareOf } from "../../stewards/shares.ts";
import { createVault, exportVault, saveVault } from "../../vault/vault.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const PY = "/usr/bin/python3";

const REBUILD = `
import json, sys, zlib
from Cryptodome.Protocol.SecretSharing import Shamir

def uvarint(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << shift; shift += 7
        if c < 0x80: return v, i

def frame(b):
    assert b[:2] == b"AP"
    assert zlib.crc32(b[:-4]) == int.from_bytes(b[-4:], "big")
    version, i = uvarint(b, 2)
    assert version == 1 and b[i:i+1] == b"K"
    i += 1 + 8
    _index, i = uvarint(b, i); _total, i = uvarint(b, i); length, i = uvarint(b, i)
    return b[i:i+length]

def cbor(b, i):
    major, info = b[i] >> 5, b[i] & 31; i += 1
    if info < 24: n = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        n = int.from_bytes(b[i:i+size], "big"); i += size
    if major == 0: return n, i
    if major == 2: return bytes(b[i:i+n]), i + n
    if major == 3: return b[i:i+n].decode(), i + n
    if major == 5:
        out = {}
        for _ in range(n):
            k, i = cbor(b, i); v, i = cbor(b, i); out[k] = v
        return out, i
    raise ValueError("unexpected cbor major type %d" % major)

payloads = [cbor(frame(bytes.fromhex(h)), 0)[0] for h in json.load(sys.stdin)]
assert all(p["type"] == "passphrase" and p["version"] == 2 for p in payloads)
assert len({p["set_id"] for p in payloads}) == 1
k = payloads[0]["threshold"]
secret = b""
for off in range(0, len(payloads[0]["share"]), 16):
    secret += Shamir.combine([(p["share_index"], p["share"][off:off+16]) for p in payloads[:k]], ssss=False)
print(secret[:payloads[0]["length"]].decode())
`;

async function run(program: string, args: string[], stdin: string): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(program, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  return await child.output();
}

Deno.test("shares: PyCryptodome rebuilds the mnemonic from share frames; cryptsetup accepts it", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-shares-py-" });
  try {
    const pass = new TextEncoder().encode("everyday passphrase 1");
    let vault = await createVault(join(root, "home"), pass, {
      secrets: await newVaultSecrets(3),
      userName: "Ann Example",
      pbkdf: TEST_ARGON2ID,
    });
    const ids = ["a", "b", "c", "d", "e"];
    const issued = await issueShares({
      ...vault.docs,
      stewards: { stewards: ids.map((id) => ({ id, name: id })) },
    });
    vault = await saveVault(vault, issued.docs);
    const exported = join(root, "export.luks");
    await exportVault(vault, exported);
    // indices 2, 4, 5: Lagrange weights other than 1, so byte-order bugs would show
    const frames = ["b", "d", "e"].map((id) => toHex(shareOf(vault.docs.secrets, id).frame));
    const py = await run(PY, ["-c", REBUILD], JSON.stringify(frames));
    assert.equal(py.code, 0, new TextDecoder().decode(py.stderr));
    const mnemonic = new TextDecoder().decode(py.stdout).trim();
    assert.equal(mnemonic, vault.docs.secrets.recoveryMnemonic);
    const ok = await run(
      "cryptsetup",
      ["open", "--test-passphrase", "--key-file", "-", exported],
      mnemonic,
    );
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    const wrong = await run(
      "cryptsetup",
      ["open", "--test-passphrase", "--key-file", "-", exported],
      mnemonic.replace(/^\S+/, "zoo"),
    );
    assert.equal(wrong.code, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
