/**
 * e2e: a vault rebuilt with stock tools — the payload packed by GNU tar in its default format
 * (`ustar  ` magic, a `./` directory entry, GNU long-name entries for long names) and the LUKS2
 * file with its mnemonic keyslot made by `cryptsetup luksFormat` with cryptsetup's own defaults —
 * is read by `paradux recover --secret-file --extract` on a machine without cryptsetup.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { makeSandbox, withPass } from "./sandbox.ts";
import { DOCUMENT_NAMES, documentText, fileNameOf } from "../../vault/documents.ts";
import { dataSegment, encryptSegment, parseLuks2Header } from "../../crypto/luks2/mod.ts";
import { openVault } from "../../vault/vault.ts";
import { PASS } from "./sandbox.ts";

function run(cmd: string, args: string[]): void {
  const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
}

Deno.test("e2e recover --secret-file --extract: GNU tar payload, cryptsetup-made keyslot, no cryptsetup on PATH", async () => {
  const s = await makeSandbox("recover-foreign");
  try {
    const r0 = await withPass(s, ["init", "--min-stewards", "2"]);
    assert.equal(r0.code, 0, r0.stderr);
    const docs = (await openVault(s.home, new TextEncoder().encode(PASS))).docs;
    const mnemonic = docs.secrets.recoveryMnemonic;

    // the documents as files, packed by GNU tar in its default format
    const dir = join(s.root, "docs");
    await Deno.mkdir(dir);
    for (const name of DOCUMENT_NAMES) {
      await Deno.writeTextFile(join(dir, fileNameOf(name)), documentText(docs[name]));
    }
    const tarFile = join(s.root, "payload.tar");
    run("tar", ["-cf", tarFile, "-C", dir, "."]);
    const payload = await Deno.readFile(tarFile);
    assert.equal(new TextDecoder().decode(payload.subarray(257, 265)), "ustar  \0", "GNU magic");

    // a LUKS2 file made by cryptsetup's defaults, the mnemonic in keyslot 1
    const vault = join(s.root, "rebuilt.luks");
    await Deno.writeFile(vault, new Uint8Array());
    await Deno.truncate(vault, 17 << 20);
    const keyFile = join(s.root, "words.bin");
    await Deno.writeTextFile(keyFile, mnemonic, { mode: 0o600 });
    const volumeKey = crypto.getRandomValues(new Uint8Array(64));
    const vkFile = join(s.root, "volume.key");
    await Deno.writeFile(vkFile, volumeKey, { mode: 0o600 });
    run("cryptsetup", [
      "luksFormat",
      "--type",
      "luks2",
      "--batch-mode",
      "--pbkdf",
      "pbkdf2",
      "--pbkdf-force-iterations",
      "1000",
      "--key-slot",
      "1",
      "--volume-key-file",
      vkFile,
      "--key-file",
      keyFile,
      vault,
    ]);
    // the payload goes into the data segment (what `cryptsetup open` + `dd` would do as root)
    const file = await Deno.readFile(vault);
    const seg = dataSegment(parseLuks2Header(file));
    const plain = new Uint8Array(Math.ceil(payload.length / seg.sectorSize) * seg.sectorSize);
    plain.set(payload);
    file.set(encryptSegment(seg, volumeKey, 0, plain), seg.offset);
    await Deno.writeFile(vault, file);

    const words = join(s.root, "words.txt");
    await Deno.writeTextFile(words, mnemonic + "\n");
    const emptyBin = join(s.root, "empty-bin");
    await Deno.mkdir(emptyBin);
    const out = join(s.root, "extracted");
    const r = await runCli(
      ["recover", "--secret-file", words, "--from", vault, "--extract", out],
      { env: { NO_COLOR: "1", PATH: emptyBin } },
    );
    assert.equal(r.code, 0, r.stderr);
    for (const name of DOCUMENT_NAMES) {
      assert.deepEqual(
        JSON.parse(await Deno.readTextFile(join(out, fileNameOf(name)))),
        JSON.parse(documentText(docs[name])),
        fileNameOf(name),
      );
    }
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
