import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { makeSandbox, paradux, PASS, type Sandbox, withPass } from "./sandbox.ts";
import { openVault } from "../../vault/vault.ts";

const EDITOR_SCRIPT = `#!/bin/sh
# scripted editor for tests: invocation N saves what it was given as seen-N.json, then
# exits 1 if fail-N exists, or replaces the file with edit-N.json if that exists.
set -e
d="$PARADUX_EDITOR_DIR"
n=$(cat "$d/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$d/count"
cp "$1" "$d/seen-$n.json"
if [ -f "$d/fail-$n" ]; then exit 1; fi
if [ -f "$d/edit-$n.json" ]; then cp "$d/edit-$n.json" "$1"; fi
exit 0
`;

/** Queues the editor's next actions: text to write, or "fail". */
async function script(s: Sandbox, steps: (unknown | "fail" | "keep")[]): Promise<void> {
  for (const f of Deno.readDirSync(s.editorDir)) await Deno.remove(join(s.editorDir, f.name));
  for (const [i, step] of steps.entries()) {
    const n = i + 1;
    if (step === "fail") await Deno.writeTextFile(join(s.editorDir, `fail-${n}`), "");
    else if (step === "keep") continue;
    else if (typeof step === "string") {
      await Deno.writeTextFile(join(s.editorDir, `edit-${n}.json`), step);
    } else {await Deno.writeTextFile(
        join(s.editorDir, `edit-${n}.json`),
        JSON.stringify(step, null, 2),
      );}
  }
}

async function seen(s: Sandbox, n: number): Promise<string> {
  return await Deno.readTextFile(join(s.editorDir, `seen-${n}.json`));
}

const USER = { name: "Ann Example", email: "ann@example.org", phone: "+1 555 0100" };
const STEWARDS = {
  stewards: [
    { id: "bob", name: "Bob", email: "bob@example.org" },
    { id: "carol", name: "Carol", address: "1 Main St" },
    { id: "dave", name: "Dave" },
  ],
};
const DATASETS = {
  datasets: [{
    name: "photos",
    source: { url: "file:///home/ann/Photos" },
    localCopy: "/var/lib/paradux/copies/photos",
    destinations: [
      { name: "usb", url: "file:///media/usb/photos", frequency: "daily" },
      {
        name: "cloud",
        url: "ftp://ann@backup.example.org/photos",
        frequency: "Sun *-*-* 03:00:00",
        credentials: { password: "hunter2" },
        encrypt: true,
        keep: 8,
      },
    ],
  }],
};
const LOCATIONS = { locations: [{ name: "usb", url: "file:///media/usb/paradux" }] };
const SETTINGS = { shareCapacity: 5, publishAfterEdit: false };

Deno.test("e2e vault: init, edit every document, status, export, change passphrase", async () => {
  const s = await makeSandbox("vault", EDITOR_SCRIPT);
  try {
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created the vault .*vault\.luks/);
    assert.doesNotMatch(r.stdout + r.stderr, /abandon|AGE-SECRET-KEY/);

    r = await paradux(s, ["init", "--passphrase-file", s.passFile]);
    assert.equal(r.code, 6, "init refuses to overwrite");
    assert.match(r.stderr, /already exists/);

    // user: one valid edit
    await script(s, [USER]);
    r = await withPass(s, ["edit-user"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await seen(s, 1), /"name": "Your Name"/);

    // stewards: an invalid edit is shown with file/line/column, re-opened with the text kept, fixed
    const invalid = '{\n  "stewards": [\n    {"id": "bob", "name": "Bob"},\n  ]\n}\n';
    await script(s, [invalid, "keep", STEWARDS]);
    r = await withPass(s, ["edit-stewards"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /stewards\.json:4:3: \$: invalid JSON: trailing comma before '\]'/);
    assert.match(r.stderr, /re-opening the editor/);
    assert.equal(await seen(s, 2), invalid, "the second editor run sees the user's text");
    assert.equal(await seen(s, 3), invalid);

    // a schema error (duplicate id) is re-opened too, and so is a cross-document one
    await script(s, [DATASETS]);
    r = await withPass(s, ["edit-datasets"]);
    assert.equal(r.code, 0, r.stderr);
    await script(s, [LOCATIONS]);
    r = await withPass(s, ["edit-metadata-locations"]);
    assert.equal(r.code, 0, r.stderr);
    await script(s, [{ shareCapacity: 2, publishAfterEdit: false }, SETTINGS]);
    r = await withPass(s, ["edit-settings"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /settings\.json: \$\.shareCapacity: must be at least the number of stewards \(3\)/,
    );

    // unchanged, editor failure and endless invalid edits change nothing
    await script(s, ["keep"]);
    r = await withPass(s, ["edit", "user"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no changes to user\.json/);
    await script(s, ["fail"]);
    r = await withPass(s, ["edit-user"]);
    assert.equal(r.code, 9);
    assert.match(r.stderr, /the editor failed; nothing was changed/);
    await script(s, ['{"name": 5}']);
    r = await withPass(s, ["edit-user"]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /user\.json:1:10: \$\.name: must be a string, not a number/);
    assert.match(r.stderr, /user\.json is invalid; nothing was changed/);

    // everything reads back
    const read = async (args: string[]) => {
      const out = await withPass(s, [...args, "--json"]);
      assert.equal(out.code, 0, out.stderr);
      return JSON.parse(out.stdout);
    };
    assert.deepEqual(await read(["status-user"]), USER);
    const stewards = await read(["status-stewards"]);
    assert.deepEqual(
      stewards.stewards.map((s: Record<string, unknown>) => [s.id, s.name, s.index, s.state]),
      STEWARDS.stewards.map((s, i) => [s.id, s.name, i + 1, "not-exported"]),
    );
    const { status: _status, ...shown } = await read(["status-datasets", "--show-credentials"]);
    assert.deepEqual(shown, DATASETS);
    const masked = await read(["status-datasets"]);
    assert.equal(masked.datasets[0].destinations[1].credentials.password, "********");
    assert.deepEqual(await read(["status-metadata-locations"]), LOCATIONS);
    const overview = await read(["status"]);
    assert.deepEqual(overview.user, { name: "Ann Example" });
    assert.deepEqual(overview.stewards, {
      count: 3,
      ids: ["bob", "carol", "dave"],
      threshold: 2,
      shareCapacity: 5,
      issuedShares: 3,
    });
    assert.deepEqual(overview.settings, SETTINGS);
    assert.equal(overview.datasets[0].destinations.length, 2);
    assert.doesNotMatch(JSON.stringify(overview), /hunter2|AGE-SECRET/);

    // export: one keyslot that the recovery mnemonic opens and the everyday passphrase does not
    const exported = join(s.root, "export.luks");
    r = await withPass(s, ["export-metadata", exported]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await Deno.stat(exported)).mode! & 0o777, 0o600);
    const dump = await new Deno.Command("cryptsetup", {
      args: ["luksDump", "--dump-json-metadata", exported],
    }).output();
    assert.equal(dump.code, 0);
    assert.deepEqual(Object.keys(JSON.parse(new TextDecoder().decode(dump.stdout)).keyslots), [
      "1",
    ]);
    const mnemonic = (await openVault(s.home, new TextEncoder().encode(PASS))).docs.secrets
      .recoveryMnemonic;
    const test = async (pass: string) => {
      const child = new Deno.Command("cryptsetup", {
        args: ["open", "--test-passphrase", "--key-file", "-", exported],
        stdin: "piped",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(pass));
      await w.close();
      return (await child.status).code;
    };
    assert.equal(await test(mnemonic), 0);
    assert.equal(await test(PASS), 2);

    // change the passphrase: both from stdin, current first
    r = await paradux(s, [
      "change-passphrase",
      "--passphrase-file",
      "-",
      "--new-passphrase-file",
      "-",
    ], { stdin: `${PASS}\nthe new everyday passphrase\n` });
    assert.equal(r.code, 0, r.stderr);
    r = await withPass(s, ["status"]);
    assert.equal(r.code, 4, "the old passphrase no longer opens the vault");
    r = await paradux(
      s,
      ["status-user", "--json", "--passphrase-file", "-"],
      { stdin: "the new everyday passphrase\n" },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), USER);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});

Deno.test("e2e vault: locks, editors outside the list, no passphrase without a terminal", async () => {
  const s = await makeSandbox("vault", EDITOR_SCRIPT);
  try {
    let r = await paradux(s, ["init", "--passphrase-file", "-"], { stdin: `${PASS}\n` });
    assert.equal(r.code, 0, r.stderr);

    // a lock held by a live process: exit 7; a lock left behind by a dead one is taken over
    const lock = join(s.home, "vault.lock");
    const held = await Deno.open(lock, { write: true, create: true });
    assert.ok(await held.tryLock(true));
    await held.write(new TextEncoder().encode("4242\n"));
    await script(s, [{ name: "Locked Out" }]);
    r = await withPass(s, ["edit-user"]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /in use by another paradux process \(pid 4242\)/);
    held.close(); // the "process" is gone: its file (with its pid) stays behind
    await script(s, [{ name: "After Stale Lock" }]);
    r = await withPass(s, ["edit-user"]);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);

    r = await runCli(["--vault", s.home, "edit-user", "--passphrase-file", s.passFile], {
      env: { ...s.env, EDITOR: "emacs -nw" },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot run the editor 'emacs -nw'/);
    assert.match(r.stderr, /paradux-editor/);

    r = await paradux(s, ["status"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no terminal/);
    assert.match(r.stderr, /--passphrase-file/);

    r = await paradux(s, ["status", "--passphrase-file", "-"], { stdin: "wrong passphrase\n" });
    assert.equal(r.code, 4);

    r = await paradux(s, ["edit"]);
    assert.equal(r.code, 2);

    r = await runCli(["--vault", join(s.root, "nowhere"), "status"], { env: s.env });
    assert.equal(r.code, 5);
    assert.match(r.stderr, /no vault at/);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});

Deno.test("e2e vault: --unlock-time sets the passphrase check's cost; out of range is refused", async () => {
  const s = await makeSandbox("unlock");
  try {
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--unlock-time", "10"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--unlock-time must be a whole number of ms from 250 to 60000/);
    await assert.rejects(Deno.stat(join(s.home, "vault.luks")), Deno.errors.NotFound);

    r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--unlock-time", "250"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /opens the vault takes about 0\.25 s to check it/);
    // cryptsetup benchmarked the keyslot: the tests' fixed cheap argon2id (8 MiB, 4 passes,
    // which this entry point uses otherwise) was not used
    const dump = await new Deno.Command("cryptsetup", {
      args: ["luksDump", join(s.home, "vault.luks")],
      stdout: "piped",
    }).output();
    const slot0 = new TextDecoder().decode(dump.stdout).split(/\n\s+1: luks2/)[0]!;
    assert.match(slot0, /PBKDF:\s+argon2id/);
    const memory = Number(/Memory:\s+(\d+)/.exec(slot0)?.[1]);
    const time = Number(/Time cost:\s+(\d+)/.exec(slot0)?.[1]);
    assert.ok(memory !== 8192 || time !== 4, `keyslot 0 still has the test KDF:\n${slot0}`);

    r = await withPass(s, ["status-user"]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await Deno.remove(s.root, { recursive: true }).catch(() => {});
  }
});
