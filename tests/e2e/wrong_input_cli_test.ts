/**
 * e2e: inputs given in the wrong place are named for what they are. A vault export given as a
 * share, a paper backup's QR document among the packages, the same package twice, a steward
 * package or an export given to `paper recover`: each gets a message saying what the input is
 * and what was expected, and a stable exit code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeSandbox, paradux, withPass } from "./sandbox.ts";

Deno.test("e2e wrong inputs: exports, paper backups, repeats and packages are named", async () => {
  const s = await makeSandbox("wrong-input");
  try {
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const stewards = ["ann", "bob", "cleo"].map((id) => ({ id, name: id.toUpperCase() }));
    await Deno.writeTextFile(join(s.editorDir, "next.json"), JSON.stringify({ stewards }));
    r = await withPass(s, ["edit-stewards"]);
    assert.equal(r.code, 0, r.stderr);
    const pk = join(s.root, "packages");
    r = await withPass(s, ["export-steward-packages", "--out", pk]);
    assert.equal(r.code, 0, r.stderr);
    const exp = join(s.root, "export.luks");
    r = await withPass(s, ["export-metadata", exp]);
    assert.equal(r.code, 0, r.stderr);
    const secret = join(s.root, "secret.txt");
    await Deno.writeTextFile(secret, "a small secret\n");
    const paper = join(s.root, "paper");
    r = await paradux(s, ["paper", "backup", "-o", paper, secret, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const [backup] = [...Deno.readDirSync(paper)].map((e) => join(paper, e.name));
    const qr = join(backup!, "qr_document.txt");
    const ann = join(pk, "ann", "package.txt");
    const annPdf = join(pk, "ann", "package.pdf");
    const bob = join(pk, "bob", "package.txt");

    const recover = (inputs: string[]) =>
      paradux(s, ["recover", ...inputs, "--from", exp, "--extract", join(s.root, "out")]);
    // [inputs, exit code, message]
    const cases: [string[], number, RegExp][] = [
      [[exp, ann], 2, /export\.luks is a vault export \(LUKS2\), not a steward package/],
      [[ann, bob, qr], 12, /qr_document\.txt: no share of this set, and not its recovery card/],
      [
        [annPdf, annPdf],
        10,
        /need 2 shares, have 1 .*; share 1 was given 2 times \(.*package\.pdf page \d+ code \d, .*package\.pdf page \d+ code \d\)/,
      ],
    ];
    for (const [inputs, code, message] of cases) {
      r = await recover(inputs);
      assert.equal(r.code, code, `${inputs.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    for (const input of [ann, exp]) {
      r = await paradux(s, ["paper", "recover", input, "-o", join(s.root, "paper-out")]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        input === ann
          ? /package\.txt is a steward package \(a share of a recovery secret\), not a paper backup/
          : /export\.luks is a vault export \(LUKS2\), not a paper backup document/,
      );
    }
    // --install over a live vault is refused before any input is read (this one is not there)
    r = await paradux(s, [
      "recover",
      join(s.root, "missing.pdf"),
      "--from",
      exp,
      "--install",
      "--passphrase-file",
      s.passFile,
    ]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /a vault already exists at .*vault\.luks/);
    // the right inputs still work
    r = await recover([ann, bob]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
