import assert from "node:assert/strict";
import { join } from "node:path";
import { BLOCK, readTar, readTarArchive, tarHeader, writeTar } from "../../../vault/tar.ts";
import { isUserError } from "../../../errors.ts";

const enc = new TextEncoder();

Deno.test("tar: write/read round trip keeps names, bytes, modes and times", () => {
  const entries = [
    { name: "user.json", data: enc.encode('{"name":"A"}\n'), mtime: 1700000000, mode: 0o600 },
    { name: "empty.json", data: new Uint8Array(), mtime: 0, mode: 0o644 },
    { name: "big.bin", data: crypto.getRandomValues(new Uint8Array(1500)), mtime: 5, mode: 0o600 },
  ];
  const bytes = writeTar(entries);
  assert.equal(bytes.length % BLOCK, 0);
  assert.deepEqual(readTar(bytes), entries);
  // trailing padding and junk after the end marker are ignored
  const padded = new Uint8Array(bytes.length + 4096);
  padded.set(bytes);
  padded.fill(0x55, bytes.length + 1024);
  assert.deepEqual(readTar(padded), entries);
});

Deno.test("tar: the header checksum and ustar magic are checked", () => {
  const bytes = writeTar([{ name: "a.json", data: enc.encode("{}") }]);
  const bad = bytes.slice();
  bad[0] = 0x62; // change the name: checksum no longer matches
  assert.throws(() => readTar(bad), (e) => isUserError(e, "input") && /checksum/.test(e.message));
  assert.throws(() => readTar(bytes.subarray(0, 600)), (e) => isUserError(e, "input"));
  assert.throws(() => tarHeader({ name: "x".repeat(101), data: new Uint8Array() }), RangeError);
});

Deno.test("tar: GNU tar lists and extracts what we write, and we read what GNU tar writes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = enc.encode(JSON.stringify({ hello: "world" }) + "\n");
    await Deno.writeFile(
      join(dir, "ours.tar"),
      writeTar([{ name: "hello.json", data, mtime: 1700000000 }]),
    );
    const list = new Deno.Command("tar", {
      args: ["--format=ustar", "-tvf", join(dir, "ours.tar")],
    }).outputSync();
    assert.equal(list.code, 0, new TextDecoder().decode(list.stderr));
    assert.match(
      new TextDecoder().decode(list.stdout),
      /-rw------- root\/root\s+18 2023-11-14 \S+ hello\.json/,
    );
    await Deno.mkdir(join(dir, "out"));
    const x = new Deno.Command("tar", {
      args: ["-xf", join(dir, "ours.tar"), "-C", join(dir, "out")],
    }).outputSync();
    assert.equal(x.code, 0, new TextDecoder().decode(x.stderr));
    assert.deepEqual(await Deno.readFile(join(dir, "out", "hello.json")), data);
    // and the other way round
    await Deno.writeFile(join(dir, "out", "two.json"), enc.encode("[2]"));
    const c = new Deno.Command("tar", {
      args: [
        "--format=ustar",
        "-cf",
        join(dir, "theirs.tar"),
        "-C",
        join(dir, "out"),
        "hello.json",
        "two.json",
      ],
    }).outputSync();
    assert.equal(c.code, 0);
    const read = readTar(await Deno.readFile(join(dir, "theirs.tar")));
    assert.deepEqual(read.map((e) => e.name), ["hello.json", "two.json"]);
    assert.deepEqual(read[0]?.data, data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Files with a long name (> 100 bytes, > 155 in its directory part too) and a UTF-8 one. */
const LONG = `${"d".repeat(160)}/${"n".repeat(120)}.json`;
const THEIRS: Record<string, string> = {
  "user.json": '{"a":1}\n',
  "Grüße über.json": '{"b":"é"}\n',
  [LONG]: "x".repeat(700),
};

async function theirTar(dir: string, tool: string, args: string[]): Promise<Uint8Array> {
  const src = join(dir, "src");
  await Deno.mkdir(join(src, LONG, ".."), { recursive: true });
  for (const [name, text] of Object.entries(THEIRS)) {
    await Deno.writeTextFile(join(src, name), text);
  }
  const out = join(dir, "theirs.tar");
  const r = new Deno.Command(tool, { args: [...args, "-cf", out, "-C", src, "."] }).outputSync();
  assert.equal(r.code, 0, `${tool} ${args}: ${new TextDecoder().decode(r.stderr)}`);
  return await Deno.readFile(out);
}

function assertTheirs(read: ReturnType<typeof readTar>, what: string): void {
  const got = Object.fromEntries(read.map((e) => [e.name, new TextDecoder().decode(e.data)]));
  assert.deepEqual(got, THEIRS, what);
  for (const e of read) assert.equal(e.mode, 0o644, `${what}: ${e.name}`);
}

for (
  const [tool, args] of [
    ["tar", []],
    ["tar", ["--format=gnu"]],
    ["tar", ["--format=oldgnu"]],
    ["tar", ["--format=pax"]],
    ["tar", ["--format=posix"]],
    ["bsdtar", []],
    ["bsdtar", ["--format=pax"]],
    ["bsdtar", ["--format=gnutar"]],
  ] as [string, string[]][]
) {
  Deno.test(`tar: reads what ${tool} ${args.join(" ") || "(default format)"} writes, long and UTF-8 names`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      Deno.umask(0o022);
      const bytes = await theirTar(dir, tool, args);
      const { entries, usedBytes } = readTarArchive(bytes);
      assertTheirs(entries, `${tool} ${args}`);
      assert.ok(usedBytes <= bytes.length && isZeroFrom(bytes, usedBytes - 1024));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

function isZeroFrom(bytes: Uint8Array, from: number): boolean {
  return bytes.subarray(from).every((b) => b === 0);
}

Deno.test("tar: GNU tar's plain ustar format refuses the long name; the 100-byte limit is real", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => theirTar(dir, "tar", ["--format=ustar"]), /file name is too long/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tar: damaged pax records and links are refused with a clear message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pax = await theirTar(dir, "tar", ["--format=pax"]);
    // the first pax record's length digit, made wrong (and the checksum of that block is fine)
    const at = pax.indexOf(0x20, 512) - 1;
    const broken = new Uint8Array(pax);
    broken[at] = 0x39;
    assert.throws(
      () => readTar(broken),
      (e) => isUserError(e, "input") && /pax|trunc/.test(e.message),
    );
    await Deno.symlink("user.json", join(dir, "src", "link"));
    const withLink = await theirTar(dir, "tar", []);
    assert.throws(
      () => readTar(withLink),
      (e) => isUserError(e, "input") && /link is not a regular file \(type 2\)/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
