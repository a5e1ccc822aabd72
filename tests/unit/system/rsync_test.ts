import assert from "node:assert/strict";
import {
  failureDetail,
  isMissingSource,
  parseProgressLine,
  parseStats,
  remoteShellString,
  rsyncArgs,
} from "../../../system/rsync.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("rsyncArgs: table", () => {
  const table: [Parameters<typeof rsyncArgs>, string[]][] = [
    [["a/", "b/"], ["-aHS", "--numeric-ids", "--stats", "--", "a/", "b/"]],
    [["a/", "b/", { mirror: true }], [
      "-aHS",
      "--numeric-ids",
      "--stats",
      "--delete",
      "--",
      "a/",
      "b/",
    ]],
    [
      ["a/", "r/.x.partial/", { mirror: true, linkDest: "../20260101T000000Z" }],
      [
        "-aHS",
        "--numeric-ids",
        "--stats",
        "--delete",
        "--link-dest=../20260101T000000Z",
        "--",
        "a/",
        "r/.x.partial/",
      ],
    ],
    [
      ["f", "u@h:dir/f", { singleFile: true, remoteShell: ["ssh", "-i", "/k ey", "-p", "22"] }],
      ["-t", "--chmod=F600", "--stats", "-e", "ssh -i '/k ey' -p 22", "--", "f", "u@h:dir/f"],
    ],
  ];
  for (const [input, expected] of table) assert.deepEqual(rsyncArgs(...input), expected);
});

Deno.test("remoteShellString quotes what rsync would split, refuses both quote kinds", () => {
  assert.equal(remoteShellString(["ssh", "-o", "A=b"]), "ssh -o A=b");
  assert.equal(remoteShellString(["a b", "it's"]), `'a b' "it's"`);
  assert.throws(() => remoteShellString([`'"`]), (e) => isUserError(e, "input"));
});

Deno.test("parseStats reads --stats with thousands separators", () => {
  const out = `
Number of files: 1,234 (reg: 1,000, dir: 230, link: 4)
Number of created files: 10
Total file size: 12,345,678 bytes
Total transferred file size: 4,096 bytes
`;
  // files: everything but the 230 directories
  assert.deepEqual(parseStats(out), { files: 1004, bytes: 4096, totalBytes: 12345678 });
  assert.deepEqual(parseStats(""), { files: 0, bytes: 0, totalBytes: 0 });
});

Deno.test("isMissingSource and failureDetail", () => {
  const missing =
    'rsync: [sender] change_dir "/nope" failed: No such file or directory (2)\nrsync error: some files/attrs were not transferred (code 23)';
  assert.equal(isMissingSource(missing), true);
  assert.equal(
    isMissingSource('rsync: link_stat "/x" failed: No such file or directory (2)'),
    true,
  );
  assert.equal(isMissingSource("rsync error: unexplained error (code 255)"), false);
  assert.equal(
    failureDetail(
      "ssh: connect to host 127.0.0.1 port 1: Connection refused\nrsync: connection unexpectedly closed\nrsync error: unexplained error (code 255)",
    ),
    "ssh: connect to host 127.0.0.1 port 1: Connection refused",
  );
  assert.equal(failureDetail("a\nlast\n"), "last");
});

Deno.test("parseProgressLine reads --info=progress2 lines", () => {
  assert.deepEqual(parseProgressLine("     67,108,864 100%  687.84MB/s    0:00:00 (xfr#1)"), {
    bytes: 67108864,
    totalBytes: 67108864,
  });
  assert.deepEqual(parseProgressLine("         32,768   0%    0.00kB/s    0:00:00"), {
    bytes: 32768,
  });
  assert.deepEqual(parseProgressLine("      1,000  50%  1.00kB/s"), {
    bytes: 1000,
    totalBytes: 2000,
  });
  assert.equal(parseProgressLine("Number of files: 2"), undefined);
  assert.equal(parseProgressLine(""), undefined);
  assert.ok(rsyncArgs("a", "b", { progress: true }).includes("--info=progress2"));
  assert.ok(rsyncArgs("a", "b", { compress: true }).includes("-z"));
  assert.ok(!rsyncArgs("a", "b").includes("-z"));
});
