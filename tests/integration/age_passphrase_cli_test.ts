import assert from "node:assert/strict";
import {
  decryptWithPassphrase,
  encryptWithPassphrase,
  scryptWorkFactorOf,
} from "../../crypto/age_passphrase.ts";
import { makeBackup } from "../../paper/backup.ts";
import { ParaduxError } from "../../errors.ts";

/**
 * The age CLI reads passphrases only from a terminal, so it runs under `script`, which gives it
 * a pseudo-terminal fed from our stdin. Paths are our own temp paths (no user input).
 */
async function ageUnderPty(
  ageArgs: string[],
  typed: string,
): Promise<{ code: number; out: string }> {
  const cmd = ["age", ...ageArgs].map((a) => `'${a}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", cmd, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(typed));
  await w.close();
  const r = await child.output();
  return {
    code: r.code,
    out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr),
  };
}

Deno.test("age CLI decrypts a Paradux paper backup's ciphertext with the passphrase", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const b = await makeBackup({
      files: [{ path: "note.txt", data: new TextEncoder().encode("for the age cli") }],
      passphrase: "correct horse battery staple",
      workFactor: 10,
    });
    assert.equal(scryptWorkFactorOf(b.ciphertext), 10);
    assert.equal(new TextDecoder().decode(b.ciphertext.subarray(0, 21)), "age-encryption.org/v1");
    await Deno.writeFile(`${dir}/in.age`, b.ciphertext);
    const r = await ageUnderPty(
      ["-d", "-o", `${dir}/out`, `${dir}/in.age`],
      "correct horse battery staple\n",
    );
    assert.equal(r.code, 0, r.out);
    const envelope = await Deno.readFile(`${dir}/out`);
    assert.deepEqual([...envelope.subarray(0, 3)], [0x41, 0x59, 1]);
    const wrong = await ageUnderPty(["-d", "-o", `${dir}/out2`, `${dir}/in.age`], "wrong\n");
    assert.notEqual(wrong.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Paradux decrypts what the age CLI encrypted to a passphrase", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/plain`, "made by age -p");
    const r = await ageUnderPty(
      ["-p", "-o", `${dir}/c.age`, `${dir}/plain`],
      "pass phrase\npass phrase\n",
    );
    assert.equal(r.code, 0, r.out);
    const ct = await Deno.readFile(`${dir}/c.age`);
    assert.equal(scryptWorkFactorOf(ct), 18);
    assert.equal(
      new TextDecoder().decode(await decryptWithPassphrase(ct, "pass phrase")),
      "made by age -p",
    );
    await assert.rejects(
      decryptWithPassphrase(ct, "other"),
      (e) => e instanceof ParaduxError && e.kind === "auth",
    );
    await assert.rejects(
      decryptWithPassphrase(ct, "pass phrase", { maxLogN: 17 }),
      (e) => e instanceof ParaduxError && /work factor 18 exceeds 17/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("age passphrase: round trip at a low work factor; the header work factor is read", async () => {
  const ct = await encryptWithPassphrase(new TextEncoder().encode("x"), "p", 3);
  assert.equal(new TextDecoder().decode(await decryptWithPassphrase(ct, "p")), "x");
  // Ethernity calibrates logN to about 1 s (19-20 or more): the header says which
  const text = new TextDecoder("latin1").decode(ct).replace(/(-> scrypt \S+) 3\n/, "$1 21\n");
  const forged = Uint8Array.from(text, (c) => c.charCodeAt(0));
  assert.equal(scryptWorkFactorOf(forged), 21);
});
