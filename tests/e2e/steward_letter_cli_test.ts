/**
 * The steward letter carries a friend through recovery: exported packages are read back (the
 * `.txt` twin and `pdftotext` of `package.pdf`), the letter comes before any code, names the
 * files as they really are and the vault-copy location in words, and its command lines, run as
 * printed in the folder the letter says to make (only the files put where it says), recover the
 * vault. `status-stewards` calls packages stale, with the reason, when something they print
 * changes (a steward's phone, the successor), and current again after a new export.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./cli.ts";
import { makeSandbox, type Sandbox, withPass } from "./sandbox.ts";

const USER = {
  name: "Ada Lovelace",
  email: "ada@example.org",
  phone: "+44 20 7946 0000",
  successor: { name: "Byron King", phone: "+44 20 7946 0999" },
};
const STEWARDS = [
  { id: "ann", name: "Ann Smith", phone: "+44 7700 900001" },
  { id: "bob", name: "Bob Jones", address: "3 Mill Lane, Leeds" },
  { id: "cleo", name: "Cleo Park" },
];

async function edit(s: Sandbox, doc: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(join(s.editorDir, "next.json"), JSON.stringify(value));
  const r = await withPass(s, [`edit-${doc}`]);
  assert.equal(r.code, 0, `edit-${doc}: ${r.stderr}`);
}

async function pdfText(pdf: string): Promise<string> {
  const r = await new Deno.Command("pdftotext", { args: [pdf, "-"], stdout: "piped" }).output();
  assert.ok(r.success, "pdftotext");
  return new TextDecoder().decode(r.stdout);
}

/** The letter's command lines: the twin's lines indented by four spaces, before the frames. */
function commandLines(twin: string): string[] {
  const letter = twin.slice(0, twin.indexOf("Everything below this line"));
  return letter.split("\n").filter((l) => l.startsWith("    ")).map((l) => l.trim());
}

async function states(s: Sandbox): Promise<[string, string, string[]][]> {
  const r = await withPass(s, ["status-stewards", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).stewards.map((
    x: { id: string; state: string; reasons: string[] },
  ) => [x.id, x.state, x.reasons]);
}

Deno.test("e2e steward letter: the letter's commands, run as printed, recover; stale after a printed detail changes", async () => {
  const s = await makeSandbox("letter");
  try {
    let r = await withPass(s, ["init", "--min-stewards", "2", "--name", USER.name]);
    assert.equal(r.code, 0, r.stderr);
    const meta = join(s.root, "vault-copies");
    await edit(s, "user", USER);
    await edit(s, "stewards", { stewards: STEWARDS });
    await edit(s, "metadata-locations", { locations: [{ name: "usb", url: `file://${meta}` }] });
    const pk = join(s.root, "packages");
    r = await withPass(s, ["export-steward-packages", "--out", pk]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await states(s), STEWARDS.map((x) => [x.id, "current", []]));

    // the letter: first, in plain words, naming files as they are
    const twin = await Deno.readTextFile(join(pk, "ann", "package.txt"));
    const pdf = await pdfText(join(pk, "ann", "package.pdf"));
    for (const text of [twin, pdf.replace(/\s+/g, " ")]) {
      const flat = text.replace(/\s+/g, " ");
      assert.match(flat, /Dear Ann Smith,/);
      assert.match(flat, /give it to Byron King, the person Ada Lovelace named/);
      assert.match(flat, new RegExp(`a folder on a computer or disk at ${meta}`));
      assert.match(flat, /a file called package\.pdf/);
      assert.match(flat, /a file called vault-export\.luks/);
      assert.match(flat, /github\.com\/MinorGlitch\/ethernity/);
      assert.match(flat, /Never photograph it/);
      assert.match(flat, /Never write on the square codes/);
      assert.doesNotMatch(flat, /package-\*/);
    }
    // page 1 is the letter: no code label on it, and the letter comes before every code
    assert.ok(pdf.indexOf("Dear Ann Smith") < pdf.indexOf("Your share (number"));
    const page1 = pdf.split("\f")[0]!;
    assert.match(page1, /Dear Ann Smith/);
    assert.doesNotMatch(page1, /Your share \(number|Card 1 of|Card signature/);
    // every code is labelled, with what it is said where it appears
    assert.match(pdf, /Your share \(number 1\)/);
    assert.match(pdf, /Card signature/);
    assert.match(pdf.replace(/\s+/g, " "), /This square code is your piece of the key/);

    // the command lines: the same in the PDF and in the twin
    const commands = commandLines(twin);
    assert.ok(commands.length >= 2, twin);
    const pdfLines = pdf.split("\n").map((l) => l.trim());
    for (const c of commands) assert.ok(pdfLines.includes(c), `the PDF prints: ${c}`);
    assert.ok(commands.some((c) => c.includes("*/package.pdf")), commands.join("\n"));

    // follow the letter: a folder "recovery" holding each package's folder as it came, the
    // vault copy from the place it names, and the Paradux program (a wrapper around this
    // checkout, not yet executable, as a downloaded file would be)
    const work = join(s.root, "recovery");
    await Deno.mkdir(work);
    for (const id of ["ann", "cleo"]) {
      await Deno.mkdir(join(work, id));
      for (const f of ["package.pdf", "package.txt"]) {
        await Deno.copyFile(join(pk, id, f), join(work, id, f));
      }
    }
    await Deno.copyFile(join(meta, "vault-export.luks"), join(work, "vault-export.luks"));
    const entry = join(ROOT, "tests", "e2e", "cheap_kdf_main.ts");
    await Deno.writeTextFile(
      join(work, "paradux"),
      `#!/bin/sh\nexec '${Deno.execPath()}' run -q -P=paradux --config '${
        join(ROOT, "deno.json")
      }' '${entry}' "$@"\n`,
      { mode: 0o644 },
    );
    for (const c of commands) {
      const out = await new Deno.Command("sh", {
        args: ["-c", c],
        cwd: work,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      assert.equal(out.code, 0, `${c}: ${dec.decode(out.stderr)}`);
    }
    const user = JSON.parse(await Deno.readTextFile(join(work, "vault-files", "user.json")));
    assert.deepEqual(user, USER);
    const stewards = JSON.parse(
      await Deno.readTextFile(join(work, "vault-files", "stewards.json")),
    );
    assert.deepEqual(stewards.stewards, STEWARDS);

    // a phone number printed in every letter changes: every package is stale, with the reason
    const changed = STEWARDS.map((x) => x.id === "bob" ? { ...x, phone: "+44 7700 900777" } : x);
    await edit(s, "stewards", { stewards: changed });
    const stale = await states(s);
    assert.deepEqual(stale.map(([id, st]) => [id, st]), STEWARDS.map((x) => [x.id, "stale"]));
    for (const [, , reasons] of stale) {
      assert.deepEqual(reasons, ["steward bob's name or contacts changed"]);
    }
    r = await withPass(s, ["status-stewards"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ann: stale: steward bob's name or contacts changed/);
    assert.match(r.stdout, /export-steward-packages/);
    // the successor changes too
    await edit(s, "user", { ...USER, successor: { name: "Byron King", phone: "+1 555 0199" } });
    assert.deepEqual((await states(s))[0]![2], [
      "the person you named (successor) changed (edit-user)",
      "steward bob's name or contacts changed",
    ]);
    // a new export of one package: that one is current, the others still stale
    r = await withPass(s, ["export-steward-packages", "--out", pk, "--steward", "ann"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await states(s)).map(([id, st]) => [id, st]), [
      ["ann", "current"],
      ["bob", "stale"],
      ["cleo", "stale"],
    ]);
    r = await withPass(s, ["export-steward-packages", "--out", pk]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await states(s), STEWARDS.map((x) => [x.id, "current", []]));
    assert.match(
      (await Deno.readTextFile(join(pk, "ann", "package.txt"))).replace(/\s+/g, " "),
      /Bob Jones, folder name bob: \+44 7700 900777, 3 Mill Lane, Leeds/,
    );
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
