import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { makeSandbox, paradux, PASS, type Sandbox } from "./sandbox.ts";
import { encodeFrame } from "../../paper/format/frame.ts";
import { formatFallbackText } from "../../paper/format/fallback_text.ts";
import { decodeShardPayload, encodeShardPayload } from "../../paper/format/shard.ts";
import { framesOfInput } from "../../paper/inputs.ts";
import { framesPart } from "../../recovery/recovery.ts";
import { openVault } from "../../vault/vault.ts";

const NEW_PASS = "a brand new everyday passphrase";

const EDITOR_SCRIPT = `#!/bin/sh
# scripted editor: invocation N replaces the file with edit-N.json
set -e
d="$PARADUX_EDITOR_DIR"
n=$(cat "$d/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$d/count"
if [ -f "$d/edit-$n.json" ]; then cp "$d/edit-$n.json" "$1"; fi
exit 0
`;

/** A sandbox with a second passphrase file, for the recovered vault. */
interface RecoverSandbox extends Sandbox {
  newPassFile: string;
}

async function sandbox(): Promise<RecoverSandbox> {
  const s = await makeSandbox("recover", EDITOR_SCRIPT);
  const newPassFile = join(s.root, "new-pass");
  await Deno.writeTextFile(newPassFile, NEW_PASS + "\n");
  return { ...s, newPassFile };
}

const edits = new Map<RecoverSandbox, number>();
async function edit(s: RecoverSandbox, doc: string, value: unknown): Promise<void> {
  const n = (edits.get(s) ?? 0) + 1;
  edits.set(s, n);
  await Deno.writeTextFile(join(s.editorDir, `edit-${n}.json`), JSON.stringify(value));
  const r = await paradux(s, [`edit-${doc}`, "--passphrase-file", s.passFile]);
  assert.equal(r.code, 0, r.stderr);
}

const USER = { name: "Ann Example", email: "ann@example.org", phone: "+1 555 0100" };
const FIVE = ["alice", "bob", "carol", "dave", "erin"].map((id) => ({
  id,
  name: id[0]!.toUpperCase() + id.slice(1),
  email: `${id}@example.org`,
}));
const SIX = [...FIVE, { id: "frank", name: "Frank", email: "frank@example.org" }];

/** Recovers into a fresh home with --install; checks the new passphrase opens it. */
async function recoverInto(s: RecoverSandbox, name: string, args: string[]) {
  const home = join(s.root, name);
  const r = await runCli([
    "--vault",
    home,
    "recover",
    ...args,
    "--install",
    "--passphrase-file",
    s.newPassFile,
  ], { env: s.env, cheapKdf: true });
  assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  const status = await runCli(
    ["--vault", home, "status-user", "--json", "--passphrase-file", s.newPassFile],
    { env: s.env, cheapKdf: true },
  );
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(JSON.parse(status.stdout), USER);
  return r;
}

/** A share whose share bytes were changed but whose signature was kept (so it is invalid). */
function tampered(text: string): string {
  const frames = framesOfInput(framesPart(text), 1);
  const key = frames.find((f) => f.frame.type === "key")!;
  const data = key.frame.data.slice();
  const payload = decodeShardPayload(data);
  const at = findBytes(data, payload.share);
  data[at + 3]! ^= 0x55;
  const frame = encodeFrame({ type: "key", docId: key.frame.docId, index: 0, total: 1, data });
  return formatFallbackText([{ kind: "key", frame }]);
}

/** The same share signed by another key (a valid signature, the wrong signer). */
function resigned(text: string, seed: Uint8Array): string {
  const key = framesOfInput(framesPart(text), 1).find((f) => f.frame.type === "key")!;
  const { pub: _pub, sig: _sig, ...fields } = decodeShardPayload(key.frame.data);
  const data = encodeShardPayload(fields, seed);
  const frame = encodeFrame({ type: "key", docId: key.frame.docId, index: 0, total: 1, data });
  return formatFallbackText([{ kind: "key", frame }]);
}

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error("not found");
}

/** Text with one z-base-32 character replaced in the first line of the SHARD FRAME section. */
function withTypo(text: string): { text: string; line: number } {
  const lines = framesPart(text).split("\n");
  const at = lines.findIndex((l) => l === "SHARD FRAME") + 2;
  const alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";
  const line = lines[at]!;
  const ch = line[6]!;
  lines[at] = line.slice(0, 6) + alphabet[(alphabet.indexOf(ch) + 1) % 32] + line.slice(7);
  return { text: lines.join("\n"), line: at + 1 };
}

Deno.test("e2e recover: 5 stewards k=3, a 6th later, recovery four ways, refusals, rotation", async () => {
  const s = await sandbox();
  try {
    let r = await paradux(s, [
      "init",
      "--passphrase-file",
      s.passFile,
      "--min-stewards",
      "3",
      "--name",
      USER.name,
    ]);
    assert.equal(r.code, 0, r.stderr);
    await edit(s, "user", USER);
    await edit(s, "stewards", { stewards: FIVE });
    const pk = join(s.root, "pk");
    r = await paradux(s, ["export-steward-packages", "--out", pk, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    for (const st of FIVE) {
      assert.equal((await Deno.stat(join(pk, st.id, "package.pdf"))).mode! & 0o777, 0o600);
    }
    const letter = await Deno.readTextFile(join(pk, "alice", "package.txt"));
    assert.match(letter, /Dear Alice/);
    assert.match(letter, /ann@example\.org/);
    assert.match(letter, /any three of them are needed/);
    assert.match(letter, /Vault key fingerprint: [0-9a-f ]{39}/);

    // a sixth steward later: share 6 of the same set, nobody else needs new paper
    await edit(s, "stewards", { stewards: SIX });
    r = await paradux(s, [
      "export-steward-packages",
      "--steward",
      "frank",
      "--out",
      pk,
      "--passphrase-file",
      s.passFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await paradux(s, ["status-stewards", "--json", "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout);
    // the others' shares still work; only their letters' list of stewards is out of date
    assert.deepEqual(
      status.stewards.map((x: { id: string; index: number; state: string; reasons: string[] }) => [
        x.id,
        x.index,
        x.state,
        x.reasons,
      ]),
      SIX.map((x, i) =>
        x.id === "frank"
          ? [x.id, i + 1, "current", []]
          : [x.id, i + 1, "stale", ["steward frank was added to the list"]]
      ),
    );
    const exported = join(s.root, "export.luks");
    r = await paradux(s, ["export-metadata", exported, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const txt = (id: string) => join(pk, id, "package.txt");

    // (a) three packages scanned: two rendered to PNG with pdftoppm (the page with the codes,
    // after the letter), one PDF as it is
    const scans: string[] = [];
    for (const id of ["bob", "dave"]) {
      const text = new TextDecoder().decode(
        (await new Deno.Command("pdftotext", {
          args: [join(pk, id, "package.pdf"), "-"],
          stdout: "piped",
        }).output()).stdout,
      );
      const page = text.split("\f").findIndex((p) => p.includes("Card signature")) + 1;
      assert.ok(page > 1, "the codes come after the letter");
      const out = join(s.root, `scan-${id}`);
      const p = await new Deno.Command("pdftoppm", {
        args: [
          "-r",
          "150",
          "-f",
          String(page),
          "-l",
          String(page),
          "-png",
          "-singlefile",
          join(pk, id, "package.pdf"),
          out,
        ],
      }).output();
      assert.equal(p.code, 0);
      scans.push(`${out}.png`);
    }
    r = await recoverInto(s, "home-a", [
      ...scans,
      join(pk, "erin", "package.pdf"),
      "--from",
      exported,
    ]);
    assert.match(r.stdout, /from shares 2 .*, 4 .*, 5 /);
    // a scan piped to stdin ('-') is scanned like a file, not read as text
    const piped = await runCli([
      "recover",
      "-",
      scans[1]!,
      join(pk, "erin", "package.pdf"),
      "--from",
      exported,
      "--extract",
      join(s.root, "piped"),
    ], { env: s.env, cheapKdf: true, stdin: await Deno.readFile(scans[0]!) });
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /from shares 2 \(stdin code \d\), 4 /);

    // (b) two old shares and the new one
    r = await recoverInto(s, "home-b", [
      txt("alice"),
      txt("carol"),
      txt("frank"),
      "--from",
      exported,
    ]);
    assert.match(r.stdout, /shares 1 .*, 3 .*, 6 /);

    // (c) typed text with one typo: repaired and reported
    const typo = withTypo(await Deno.readTextFile(txt("bob")));
    const typed = join(s.root, "typed.txt");
    await Deno.writeTextFile(
      typed,
      [typo.text, framesPart(await Deno.readTextFile(txt("carol")))].join("\n\n"),
    );
    r = await recoverInto(s, "home-c", [typed, txt("frank"), "--from", exported]);
    assert.match(r.stderr, new RegExp(`typed\\.txt.*typo repaired at line ${typo.line} char 7`));

    // (d) the mnemonic alone
    const mnemonic = (await openVault(s.home, new TextEncoder().encode(PASS))).docs.secrets
      .recoveryMnemonic;
    const words = join(s.root, "words.txt");
    await Deno.writeTextFile(words, mnemonic + "\n");
    await recoverInto(s, "home-d", ["--secret-file", words, "--from", exported]);

    // installing over an existing vault needs --force
    r = await runCli([
      "--vault",
      join(s.root, "home-d"),
      "recover",
      "--secret-file",
      words,
      "--from",
      exported,
      "--install",
      "--passphrase-file",
      s.newPassFile,
    ], { env: s.env, cheapKdf: true });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /already exists/);

    // refusals, each naming the input
    const forged = join(s.root, "forged.txt");
    await Deno.writeTextFile(forged, tampered(await Deno.readTextFile(txt("bob"))));
    const extractTo = (n: string) => ["--from", exported, "--extract", join(s.root, n)];
    r = await paradux(s, ["recover", forged, txt("alice"), txt("carol"), ...extractTo("x1")]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /forged\.txt: shard signature is invalid/);
    r = await paradux(s, ["recover", txt("bob"), forged, txt("carol"), ...extractTo("x2")]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /forged\.txt: conflicts with .*bob\/package\.txt.*index 2/);
    r = await paradux(s, ["recover", txt("alice"), txt("erin"), ...extractTo("x3")]);
    assert.equal(r.code, 10, r.stderr);
    assert.match(r.stderr, /need 3 shares, have 2 \(from .*alice.*erin/);

    // rotation: new secret, card and set; old packages stale; old shares refused with new ones
    r = await paradux(s, ["change-secrets", "--recovery", "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /still open with the old shares/);
    r = await paradux(s, ["status-stewards", "--json", "--passphrase-file", s.passFile]);
    assert.ok(
      JSON.parse(r.stdout).stewards.every((x: { state: string }) => x.state === "stale"),
    );
    const pk2 = join(s.root, "pk2");
    r = await paradux(s, [
      "export-steward-packages",
      "--out",
      pk2,
      "--passphrase-file",
      s.passFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const exported2 = join(s.root, "export2.luks");
    r = await paradux(s, ["export-metadata", exported2, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const txt2 = (id: string) => join(pk2, id, "package.txt");
    r = await paradux(s, [
      "recover",
      txt2("alice"),
      txt2("bob"),
      txt("carol"),
      "--from",
      exported2,
      "--extract",
      join(s.root, "x4"),
    ]);
    assert.equal(r.code, 12, r.stderr);
    assert.match(r.stderr, /pk\/carol\/package\.txt: share of another set or vault/);
    // the old export and the new one each open only with their own shares
    r = await paradux(s, [
      "recover",
      txt("alice"),
      txt("bob"),
      txt("carol"),
      "--from",
      exported2,
      "--extract",
      join(s.root, "x5"),
    ]);
    assert.equal(r.code, 4, r.stderr);
    r = await paradux(s, [
      "recover",
      txt2("alice"),
      txt2("bob"),
      txt2("carol"),
      "--from",
      exported2,
      "--extract",
      join(s.root, "x6"),
    ]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});

Deno.test("e2e recover --extract: no cryptsetup on PATH, an export from export-metadata", async () => {
  const s = await sandbox();
  try {
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await edit(s, "user", USER);
    await edit(s, "stewards", { stewards: FIVE.slice(0, 3) });
    const pk = join(s.root, "pk");
    r = await paradux(s, ["export-steward-packages", "--out", pk, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const exported = join(s.root, "export.luks");
    r = await paradux(s, ["export-metadata", exported, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const emptyBin = join(s.root, "empty-bin");
    await Deno.mkdir(emptyBin);
    // cryptsetup really is out of reach with this PATH: what needs it fails
    r = await runCli(
      [
        "--vault",
        s.home,
        "export-metadata",
        join(s.root, "e2.luks"),
        "--passphrase-file",
        s.passFile,
      ],
      { env: { NO_COLOR: "1", PATH: emptyBin } },
    );
    assert.equal(r.code, 8, r.stderr);
    const out = join(s.root, "extracted");
    r = await runCli([
      "recover",
      join(pk, "carol", "package.txt"),
      join(pk, "alice", "package.txt"),
      "--from",
      exported,
      "--extract",
      out,
    ], { env: { NO_COLOR: "1", PATH: emptyBin } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 6 documents/);
    const user = JSON.parse(await Deno.readTextFile(join(out, "user.json")));
    assert.deepEqual(user, USER);
    const stewards = JSON.parse(await Deno.readTextFile(join(out, "stewards.json")));
    assert.deepEqual(stewards.stewards.map((x: { id: string }) => x.id), ["alice", "bob", "carol"]);
    assert.equal((await Deno.stat(join(out, "secrets.json"))).mode! & 0o777, 0o600);
    // the same without --force into a non-empty directory is refused
    r = await runCli([
      "recover",
      join(pk, "carol", "package.txt"),
      join(pk, "alice", "package.txt"),
      "--from",
      exported,
      "--extract",
      out,
    ], { env: { NO_COLOR: "1", PATH: emptyBin } });
    assert.equal(r.code, 6, r.stderr);

    // shares signed by another key: refused, unless --rescue (which says so)
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const other: string[] = [];
    for (const id of ["alice", "bob"]) {
      const path = join(s.root, `resigned-${id}.txt`);
      await Deno.writeTextFile(
        path,
        resigned(await Deno.readTextFile(join(pk, id, "package.txt")), seed),
      );
      other.push(path);
    }
    const from = ["--from", exported, "--extract"];
    r = await paradux(s, ["recover", ...other, ...from, join(s.root, "r1")]);
    assert.equal(r.code, 4, r.stderr);
    r = await paradux(s, ["recover", ...other, "--rescue", ...from, join(s.root, "r2")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /NOT AUTHENTICATED/);
    assert.match(r.stderr, /not signed by the key of/);

    // the paper copy of the metadata in place of an export
    const paper = join(s.root, "paper");
    r = await paradux(s, ["print-metadata", "--out", paper, "--passphrase-file", s.passFile]);
    assert.equal(r.code, 0, r.stderr);
    r = await paradux(s, [
      "recover",
      join(pk, "bob", "package.txt"),
      join(pk, "carol", "package.txt"),
      "--from",
      join(paper, "metadata-paper.txt"),
      "--extract",
      join(s.root, "from-paper"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(s.root, "from-paper", "user.json"))),
      USER,
    );
    r = await runCli([
      "--vault",
      join(s.root, "home-paper"),
      "recover",
      join(pk, "bob", "package.txt"),
      join(pk, "carol", "package.txt"),
      "--from",
      join(paper, "metadata-paper.txt"),
      "--install",
      "--passphrase-file",
      s.newPassFile,
    ], { env: s.env, cheapKdf: true });
    assert.equal(r.code, 0, r.stderr);
    r = await runCli([
      "--vault",
      join(s.root, "home-paper"),
      "status-user",
      "--json",
      "--passphrase-file",
      s.newPassFile,
    ], { env: s.env, cheapKdf: true });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), USER);
    // the installed vault's recovery keyslot is the recovered mnemonic: the old packages open
    // its export
    const paperExport = join(s.root, "paper-export.luks");
    r = await runCli([
      "--vault",
      join(s.root, "home-paper"),
      "export-metadata",
      paperExport,
      "--passphrase-file",
      s.newPassFile,
    ], { env: s.env, cheapKdf: true });
    assert.equal(r.code, 0, r.stderr);
    r = await paradux(s, [
      "recover",
      join(pk, "alice", "package.txt"),
      join(pk, "carol", "package.txt"),
      "--from",
      paperExport,
      "--extract",
      join(s.root, "from-paper-export"),
    ]);
    assert.equal(r.code, 0, r.stderr);

    // a USB kit (alias create-steward-devices): package, export, README; recover from it
    const usb = join(s.root, "usb");
    r = await paradux(s, [
      "create-steward-devices",
      "--usb",
      usb,
      "--steward",
      "bob",
      "--passphrase-file",
      s.passFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const kit = [...Deno.readDirSync(join(usb, "bob"))].map((e) => e.name).sort();
    assert.deepEqual(kit, [
      "README.txt",
      "package.pdf",
      "package.txt",
      "recovery-kit.html",
      "vault-export.luks",
    ]);
    assert.match(r.stderr, /no compiled Paradux binary/);
    r = await paradux(s, [
      "recover",
      join(usb, "bob", "package.txt"),
      join(pk, "alice", "package.txt"),
      "--from",
      join(usb, "bob", "vault-export.luks"),
      "--extract",
      join(s.root, "from-kit"),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.authenticated, true);
    assert.deepEqual(summary.shares.map((x: { index: number }) => x.index), [2, 1]);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
