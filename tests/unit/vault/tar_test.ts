import assert from "node:assert/strict";
import { join } from "node:path";
import { BLOCK, readTar, tarHeader, writeTar } from "../../../vault/tar.ts";
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
