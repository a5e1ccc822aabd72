import assert from "node:assert/strict";
import {
  calendarArgs,
  execLine,
  parseCalendarOutput,
  pathList,
  systemctlArgs,
  unitDir,
  unitWord,
  verifyArgs,
} from "../../../system/systemd.ts";

Deno.test("systemd: unit words are quoted and escaped only when needed", () => {
  const table: [string, string][] = [
    ["/usr/bin/paradux", "/usr/bin/paradux"],
    ["--vault", "--vault"],
    ["-P=paradux", "-P=paradux"],
    ["/srv/with space", '"/srv/with space"'],
    ["100%", '"100%%"'],
    ["$HOME", '"$$HOME"'],
    ['a"b', '"a\\"b"'],
    ["a\\b", '"a\\\\b"'],
    ["tab\there", '"tab\\x09here"'],
    ["new\nline", '"new\\x0aline"'],
    ["", '""'],
    ["ünï", '"ünï"'],
  ];
  for (const [word, want] of table) assert.equal(unitWord(word), want, JSON.stringify(word));
  assert.equal(execLine(["/bin/x", "a b", "c"]), '/bin/x "a b" c');
  assert.equal(
    pathList([{ path: "/var/lib/copy" }, { path: "/media/usb drive", optional: true }]),
    '/var/lib/copy "-/media/usb drive"',
  );
});

Deno.test("systemd: argument builders", () => {
  assert.deepEqual(calendarArgs("daily"), ["calendar", "--iterations=1", "daily"]);
  assert.deepEqual(calendarArgs("Sun *-*-* 03:00", new Date("2026-01-01T00:00:00.900Z"), 2), [
    "calendar",
    "--iterations=2",
    "--base-time=@1767225600",
    "Sun *-*-* 03:00",
  ]);
  assert.deepEqual(verifyArgs(["/a.service"]), ["verify", "--man=no", "/a.service"]);
  assert.deepEqual(verifyArgs(["x.timer"], "/r"), ["verify", "--man=no", "--root=/r", "x.timer"]);
  assert.deepEqual(systemctlArgs("daemon-reload"), ["daemon-reload"]);
  assert.deepEqual(systemctlArgs("enable", ["a.timer", "b.timer"]), [
    "enable",
    "--now",
    "a.timer",
    "b.timer",
  ]);
  assert.deepEqual(systemctlArgs("disable", ["a.timer"]), ["disable", "--now", "a.timer"]);
  assert.equal(unitDir(), "/etc/systemd/system");
  assert.equal(unitDir("/tmp/r"), "/tmp/r/etc/systemd/system");
});

Deno.test("systemd: calendar output parsing (TZ=UTC), iterations and never", () => {
  const text = `  Original form: Sun *-*-* 03:00
Normalized form: Sun *-*-* 03:00:00
    Next elapse: Sun 2026-01-04 03:00:00 UTC
       From now: 10 months 19 days ago
       Iter. #2: Sun 2026-01-11 03:00:00 UTC
       From now: 10 months 12 days ago
`;
  assert.deepEqual(parseCalendarOutput(text).map((d) => d.toISOString()), [
    "2026-01-04T03:00:00.000Z",
    "2026-01-11T03:00:00.000Z",
  ]);
  assert.deepEqual(
    parseCalendarOutput(
      "  Original form: 2020-01-01\nNormalized form: 2020-01-01 00:00:00\n" +
        "    Next elapse: never\n",
    ),
    [],
  );
});
