/**
 * `paradux paper ...` end to end, through the CLI as a subprocess (permission set paradux):
 * backup with shards, recover from scanned PDFs (pdftoppm + zxing-wasm) and from the `.txt`
 * twins with a typo, refusals (existing files, too few shards, a forged shard, a sealed backup
 * for expand-shards), reprint, and the demo. Needs Debian poppler-utils (pdftoppm).
 * The test entry point (`cheapKdf`) keeps the age scrypt cheap (log2 N = 10).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { newSigningSeed } from "../../crypto/ed25519.ts";
import { formatFallbackText } from "../../paper/format/fallback_text.ts";
import { decodeShardPayload, encodeShardPayload } from "../../paper/format/shard.ts";
import { framesOfInputs } from "../../paper/inputs.ts";
import { shardFrame } from "../../paper/shards.ts";
import { splitTwin } from "../../paper/printed.ts";

const NOTE = "the safe's code is 31-07-1969\nGrüße 東京\n";
const KEY = crypto.getRandomValues(new Uint8Array(1500)); // incompressible: several main frames

interface Made {
  root: string;
  dir: string;
  docId: string;
  stdout: string;
}

function paradux(args: string[], stdin?: string) {
  return runCli(args, { cheapKdf: true, ...(stdin === undefined ? {} : { stdin }) });
}

async function makeSample(root: string): Promise<string[]> {
  const src = join(root, "src");
  await Deno.mkdir(join(src, "keys"), { recursive: true });
  await Deno.writeTextFile(join(src, "note.txt"), NOTE);
  await Deno.writeFile(join(src, "keys", "id.bin"), KEY);
  return [join(src, "note.txt"), join(src, "keys")];
}

async function backup(extra: string[]): Promise<Made> {
  const root = await Deno.makeTempDir({ prefix: "paradux-e2e-paper-" });
  const paths = await makeSample(root);
  const r = await paradux(["paper", "backup", ...paths, "--out", join(root, "out"), ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const docId = /backup ([0-9a-f]{16})/.exec(r.stdout)?.[1];
  assert.ok(docId, r.stdout);
  return { root, dir: join(root, "out", `backup-${docId}`), docId, stdout: r.stdout };
}

async function assertRecovered(out: string): Promise<void> {
  assert.equal(await Deno.readTextFile(join(out, "note.txt")), NOTE);
  assert.deepEqual(await Deno.readFile(join(out, "keys", "id.bin")), KEY);
}

const shard = (m: Made, i: number, ext: string) => join(m.dir, `shard-${m.docId}-${i}-of-3.${ext}`);

Deno.test("paper backup --shards 2/3, then recover from scans, twins with a typo, refusals", async (t) => {
  const m = await backup(["--shards", "2/3"]);
  try {
    await t.step(
      "writes every PDF with its twin, and never prints a sharded passphrase",
      async () => {
        const names = [...Deno.readDirSync(m.dir)].map((e) => e.name).sort();
        const expected = [
          "qr_document",
          "recovery_document",
          ...[1, 2, 3].map((i) => `shard-${m.docId}-${i}-of-3`),
        ].flatMap((n) => [`${n}.pdf`, `${n}.txt`]).concat(
          [1, 2, 3].map((i) => `shard-${m.docId}-${i}-of-3-qr-payloads.txt`),
        ).sort();
        assert.deepEqual(names, expected);
        assert.doesNotMatch(m.stdout, /passphrase \(/);
        const recovery = await Deno.readTextFile(join(m.dir, "recovery_document.txt"));
        assert.match(recovery, /^AUTH FRAME\n/);
        const twin = await Deno.readTextFile(shard(m, 1, "txt"));
        assert.ok(twin.startsWith("SHARD FRAME\n"));
        assert.equal(splitTwin(twin), null, "a shard twin holds only its SHARD FRAME section");
      },
    );

    await t.step("recovers from two shard PDFs and the QR document, scanned", async () => {
      const out = join(m.root, "from-scans");
      const r = await paradux([
        "paper",
        "recover",
        shard(m, 1, "pdf"),
        join(m.dir, "qr_document.pdf"),
        shard(m, 3, "pdf"),
        "--out",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /authenticated: signed by [0-9a-f]{64}/);
      await assertRecovered(out);
    });

    await t.step(
      "recovers from the QR payload lines of the QR document and two shards",
      async () => {
        const out = join(m.root, "from-payloads");
        const r = await paradux([
          "paper",
          "recover",
          join(m.dir, "qr_document.txt"),
          join(m.dir, `shard-${m.docId}-1-of-3-qr-payloads.txt`),
          join(m.dir, `shard-${m.docId}-2-of-3-qr-payloads.txt`),
          "--out",
          out,
        ]);
        assert.equal(r.code, 0, r.stderr);
        await assertRecovered(out);
      },
    );

    const typo = join(m.root, "typed.txt");
    await t.step("recovers from the twins and reports the typo by line", async () => {
      const lines = (await Deno.readTextFile(join(m.dir, "recovery_document.txt"))).split("\n");
      const at = lines.indexOf("MAIN FRAME") + 3; // 0-based index of a main frame line
      const line = lines[at] as string;
      lines[at] = (line[0] === "y" ? "n" : "y") + line.slice(1);
      await Deno.writeTextFile(typo, lines.join("\n"));
      const out = join(m.root, "from-text");
      const r = await paradux([
        "paper",
        "recover",
        typo,
        shard(m, 2, "txt"),
        shard(m, 3, "txt"),
        "--out",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`typed\\.txt.*typo repaired at line ${at + 1} char 1`));
      assert.doesNotMatch(r.stderr, /duplicate/); // a twin's payload line repeats its text
      await assertRecovered(out);

      const again = await paradux([
        "paper",
        "recover",
        typo,
        shard(m, 2, "txt"),
        shard(m, 1, "txt"),
        "--out",
        out,
      ]);
      assert.equal(again.code, 6, again.stderr);
      assert.match(again.stderr, /exists/);
      await Deno.writeTextFile(join(out, "note.txt"), "changed");
      const refused = await paradux([
        "paper",
        "recover",
        typo,
        shard(m, 2, "txt"),
        shard(m, 1, "txt"),
        "--out",
        out,
      ]);
      assert.equal(refused.code, 6);
      assert.equal(await Deno.readTextFile(join(out, "note.txt")), "changed");
      const forced = await paradux([
        "paper",
        "recover",
        typo,
        shard(m, 2, "txt"),
        shard(m, 1, "txt"),
        "--out",
        out,
        "--force",
      ]);
      assert.equal(forced.code, 0, forced.stderr);
      await assertRecovered(out);
    });

    await t.step("one shard of two: 'need 2 shards, have 1', exit 10", async () => {
      const r = await paradux([
        "paper",
        "recover",
        typo,
        shard(m, 2, "txt"),
        "--out",
        join(m.root, "never"),
      ]);
      assert.equal(r.code, 10, r.stderr);
      assert.match(r.stderr, /need 2 shards, have 1/);
      await assert.rejects(Deno.stat(join(m.root, "never")));
    });

    await t.step("a missing QR code is named by its index, exit 10", async () => {
      const lines = (await Deno.readTextFile(join(m.dir, "qr_document.txt"))).trim().split("\n");
      assert.ok(lines.length >= 4, "several main frames and the auth frame");
      const partial = join(m.root, "partial-codes.txt");
      await Deno.writeTextFile(partial, [lines[0], ...lines.slice(2)].join("\n"));
      const r = await paradux([
        "paper",
        "recover",
        partial,
        shard(m, 1, "txt"),
        shard(m, 2, "txt"),
        "--out",
        join(m.root, "never"),
      ]);
      assert.equal(r.code, 10, r.stderr);
      assert.match(r.stderr, new RegExp(`missing main frames 2 of ${lines.length - 1}`));
    });

    await t.step(
      "a forged shard (valid format, another key) is rejected, naming its file",
      async () => {
        const text = await Deno.readTextFile(shard(m, 1, "txt"));
        const [frame] = framesOfInputs([splitTwin(text)?.fallback ?? text]);
        assert.ok(frame);
        const p = decodeShardPayload(frame.frame.data);
        const forged = encodeShardPayload({ ...p }, newSigningSeed());
        const forgedText = formatFallbackText([{
          kind: "key",
          frame: shardFrame(frame.frame.docId, forged),
        }]);
        const forgedPath = join(m.root, "forged-shard.txt");
        await Deno.writeTextFile(forgedPath, forgedText);
        for (const other of [2, 3]) {
          const r = await paradux([
            "paper",
            "recover",
            join(m.dir, "recovery_document.txt"),
            forgedPath,
            shard(m, other, "txt"),
            "--out",
            join(m.root, "forged-out"),
          ]);
          assert.equal(r.code, 4, r.stderr);
          assert.match(r.stderr, /forged-shard\.txt.*(another key|signature)/);
        }
        await assert.rejects(Deno.stat(join(m.root, "forged-out")));
      },
    );

    await t.step(
      "expand-shards remakes shard 2 identically; reprint on Letter scans back",
      async () => {
        const out = join(m.root, "expanded");
        const r = await paradux([
          "paper",
          "expand-shards",
          join(m.dir, "recovery_document.txt"),
          shard(m, 1, "txt"),
          shard(m, 3, "txt"),
          "--out",
          out,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const made = join(out, `backup-${m.docId}`, `shard-${m.docId}-2-of-3.txt`);
        assert.equal(await Deno.readTextFile(made), await Deno.readTextFile(shard(m, 2, "txt")));
        const reprint = join(m.root, "reprint");
        const rp = await paradux([
          "paper",
          "reprint",
          join(m.dir, "qr_document.txt"),
          "--out",
          reprint,
          "--paper",
          "letter",
          "--ecc",
          "Q",
        ]);
        assert.equal(rp.code, 0, rp.stderr);
        const dir = join(reprint, `backup-${m.docId}`);
        assert.equal(
          await Deno.readTextFile(join(dir, "recovery_document.txt")),
          await Deno.readTextFile(join(m.dir, "recovery_document.txt")),
        );
        const back = join(m.root, "from-reprint");
        const rec = await paradux([
          "paper",
          "recover",
          join(dir, "qr_document.pdf"),
          shard(m, 1, "pdf"),
          made,
          "--out",
          back,
        ]);
        assert.equal(rec.code, 0, rec.stderr);
        await assertRecovered(back);
      },
    );
  } finally {
    await Deno.remove(m.root, { recursive: true });
  }
});

Deno.test("paper backup without shards prints the generated passphrase; recover reads it from stdin", async () => {
  const m = await backup(["--words", "12"]);
  try {
    const words = /passphrase \(also on the recovery document\): ([a-z ]+)\n/.exec(m.stdout)?.[1];
    assert.ok(words, m.stdout);
    assert.equal(words.split(" ").length, 12);
    const out = join(m.root, "r");
    const args = ["paper", "recover", join(m.dir, "recovery_document.txt"), "--out", out];
    const r = await paradux([...args, "--passphrase-file", "-"], words + "\n");
    assert.equal(r.code, 0, r.stderr);
    await assertRecovered(out);
    const wrong = await paradux([...args, "--passphrase-file", "-"], "not it\n");
    assert.equal(wrong.code, 4, wrong.stderr);
    const none = await paradux(args);
    assert.equal(none.code, 10, none.stderr);
    // the text on stdin, the passphrase in a file, rescue mode labelled
    const passFile = join(m.root, "pass");
    await Deno.writeTextFile(passFile, words + "\n");
    const text = await Deno.readTextFile(join(m.dir, "recovery_document.txt"));
    const viaStdin = await paradux([
      "paper",
      "recover",
      "-",
      "--out",
      join(m.root, "r2"),
      "--passphrase-file",
      passFile,
      "--allow-unsigned",
    ], text);
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
    assert.match(viaStdin.stdout, /UNAUTHENTICATED/);
    await assertRecovered(join(m.root, "r2"));
  } finally {
    await Deno.remove(m.root, { recursive: true });
  }
});

Deno.test("expand-shards refuses a sealed backup and says why", async () => {
  const m = await backup(["--shards", "2/3", "--sealed"]);
  try {
    const r = await paradux([
      "paper",
      "expand-shards",
      join(m.dir, "recovery_document.txt"),
      shard(m, 1, "txt"),
      shard(m, 2, "txt"),
      "--out",
      join(m.root, "x"),
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /sealed: its signing key was not kept/);
  } finally {
    await Deno.remove(m.root, { recursive: true });
  }
});

Deno.test("paper backup with no paths and no terminal is a usage error, not a prompt", async () => {
  const r = await paradux(["paper", "backup", "--out", "/nonexistent"], "");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no files to back up/);
});

Deno.test("paper demo: make, print, scan, recover; exit 0", async () => {
  const r = await paradux(["paper", "demo"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /byte-identical, authenticated[\s\S]*byte-identical, authenticated/);
  assert.match(r.stdout, /demo ok/);
});
