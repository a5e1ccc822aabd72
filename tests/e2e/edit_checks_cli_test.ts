/**
 * Edits that the schema alone would accept but that would fail at backup or publish time (an
 * unknown scheme, a URL shape or role the protocol refuses, a missing credential, a mistyped
 * frequency, fewer stewards than k) are refused by `paradux edit-*`: the problem names the
 * document and the field, the editor is re-opened, and the vault is left as it was when the
 * edits never get fixed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeSandbox, paradux, type Sandbox, withPass } from "./sandbox.ts";

const EDITOR_SCRIPT = `#!/bin/sh
# invocation N saves what it got as seen-N.json, then writes edit-N.json if it exists
set -e
d="$PARADUX_EDITOR_DIR"
n=$(cat "$d/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$d/count"
cp "$1" "$d/seen-$n.json"
if [ -f "$d/edit-$n.json" ]; then cp "$d/edit-$n.json" "$1"; fi
exit 0
`;

/** The editor writes `steps[i]` on invocation i + 1, then keeps the text. */
async function script(s: Sandbox, steps: unknown[]): Promise<void> {
  for (const f of Deno.readDirSync(s.editorDir)) await Deno.remove(join(s.editorDir, f.name));
  for (const [i, step] of steps.entries()) {
    await Deno.writeTextFile(join(s.editorDir, `edit-${i + 1}.json`), JSON.stringify(step));
  }
}

function datasets(
  source: string,
  destination: { url: string; frequency?: string; credentials?: Record<string, string> },
) {
  return {
    datasets: [{
      name: "home",
      source: { url: source },
      localCopy: "/var/lib/paradux/copies/home",
      destinations: [
        { name: "usb", url: "file:///mnt/usb/home", frequency: "daily" },
        { name: "far", frequency: "weekly", ...destination },
      ],
    }],
  };
}

const GOOD_SOURCE = "file:///home/ann";
const FTP = { url: "ftp://ann@backup.example.org/home", credentials: { password: "pw" } };

/** [command, the invalid document, what the message must say] */
const CASES: [string, unknown, RegExp][] = [
  [
    "edit-datasets",
    datasets(GOOD_SOURCE, { ...FTP, frequency: "dialy" }),
    /datasets\.json:\d+:\d+: \$\.datasets\[0\]\.destinations\[1\]\.frequency: "dialy" is not a frequency \(hint: did you mean "daily"\?/,
  ],
  [
    "edit-datasets",
    datasets(GOOD_SOURCE, { ...FTP, frequency: "Sun *-*-* 25:99" }),
    /datasets\.json:\d+:\d+: \$\.datasets\[0\]\.destinations\[1\]\.frequency: "Sun \*-\*-\* 25:99" is not a frequency: systemd-analyze calendar says/,
  ],
  [
    "edit-datasets",
    datasets("s3://bucket/src", FTP),
    /datasets\.json:\d+:\d+: \$\.datasets\[0\]\.source\.url: the s3 protocol cannot be a dataset source \(a source can be file:\/\/, rsync\+ssh:\/\/\)/,
  ],
  [
    "edit-datasets",
    datasets(GOOD_SOURCE, { url: "gopher://foo" }),
    /datasets\.json:\d+:\d+: \$\.datasets\[0\]\.destinations\[1\]\.url: unknown location scheme "gopher" in gopher:\/\/foo \(use one of file:\/\//,
  ],
  [
    "edit-datasets",
    datasets(GOOD_SOURCE, { url: "restic:/srv/restic/home" }),
    /datasets\.json:\d+:\d+: \$\.datasets\[0\]\.destinations\[1\]: restic location: missing credential password/,
  ],
  [
    "edit-metadata-locations",
    { locations: [{ name: "web", url: "https://example.org/paradux" }] },
    /metadata-locations\.json:\d+:\d+: \$\.locations\[0\]\.url: unknown location scheme "https"/,
  ],
  [
    "edit-metadata-locations",
    { locations: [{ name: "rel", url: "file://relative/path" }] },
    /metadata-locations\.json:\d+:\d+: \$\.locations\[0\]: file location: file URL file:\/\/relative\/path names a host; use file:\/\/\/absolute\/path/,
  ],
  [
    "edit-stewards",
    { stewards: [{ id: "bob", name: "Bob" }] },
    /stewards\.json:\d+:\d+: \$\.stewards: has 1 steward, but k = 2 are needed to recover: add at least 1 more/,
  ],
];

Deno.test("e2e edit checks: each invalid location, frequency and k is re-opened, the vault unchanged", async () => {
  const s = await makeSandbox("edit-checks", EDITOR_SCRIPT);
  try {
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const vaultFile = join(s.home, "vault.luks");
    const before = await Deno.readFile(vaultFile);
    for (const [command, doc, message] of CASES) {
      await script(s, [doc]);
      r = await withPass(s, [command]);
      const what = `${command} ${JSON.stringify(doc)}: ${r.stderr}`;
      assert.equal(r.code, 3, what);
      assert.match(r.stderr, message, what);
      assert.match(r.stderr, /re-opening the editor \(your text is kept\)/, what);
      assert.match(r.stderr, /is invalid; nothing was changed/, what);
      const first = await Deno.readTextFile(join(s.editorDir, "seen-1.json"));
      const file = command.replace(/^edit-/, "");
      assert.match(
        first,
        new RegExp(`^// ${file}\\.json: .*\n// Lines starting with // are ignored`),
      );
      assert.match(first, /\n\/\/ Example:\n\/\/ {3}\{\n/, "a commented example");
      const kept = await Deno.readTextFile(join(s.editorDir, "seen-2.json"));
      assert.deepEqual(JSON.parse(kept), doc, "the editor re-opens on the user's text");
      assert.deepEqual(await Deno.readFile(vaultFile), before, `${what}: the vault is unchanged`);
    }

    // fixed on the second try: saved
    const fixed = datasets(GOOD_SOURCE, { ...FTP, frequency: "daily" });
    await script(s, [datasets(GOOD_SOURCE, { ...FTP, frequency: "dialy" }), fixed]);
    r = await withPass(s, ["edit-datasets"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /"dialy" is not a frequency/);
    assert.match(r.stderr, /saved datasets\.json/);
    r = await withPass(s, ["status-datasets", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ftp:\/\/ann@backup\.example\.org\/home/);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
