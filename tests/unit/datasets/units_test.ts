import assert from "node:assert/strict";
import type { Dataset, Documents } from "../../../vault/documents.ts";
import { jobFor } from "../../../datasets/jobs.ts";
import {
  allUnits,
  calendarsOf,
  loadTemplates,
  privateTmpFor,
  programArgv,
  unitsFor,
  unitTarget,
  writablePaths,
} from "../../../datasets/units.ts";

const PHOTOS: Dataset = {
  name: "photos",
  source: { url: "rsync+ssh://ann@laptop/home/ann/Photos", credentials: { sshKey: "KEY-PHOTOS" } },
  localCopy: "/var/lib/paradux/copies/photos",
  destinations: [
    { name: "usb", url: "file:///media/usb/photos", frequency: "daily" },
    { name: "usb2", url: "file:///media/usb/photos-b", frequency: "daily" },
    {
      name: "cloud",
      url: "s3://bucket/photos",
      frequency: "Sun *-*-* 03:00:00",
      credentials: { secretAccessKey: "S3-SECRET-PHOTOS" },
      encrypt: true,
    },
  ],
};
const MAIL: Dataset = {
  name: "mail",
  source: { url: "file:///home/ann/Mail" },
  localCopy: "/var/lib/paradux/copies/mail",
  destinations: [{
    name: "nas",
    url: "restic:sftp:nas:/mail",
    frequency: "hourly",
    credentials: { password: "RESTIC-PASS-MAIL" },
  }],
};
const EMPTY: Dataset = {
  name: "empty",
  source: { url: "file:///x" },
  localCopy: "/y",
  destinations: [],
};

function docs(): Documents {
  return {
    datasets: { datasets: [PHOTOS, MAIL, EMPTY] },
    secrets: {
      ageIdentity: "AGE-SECRET-KEY-1" + "Q".repeat(58),
      ageRecipient: "age1" + "q".repeat(58),
      dataKeyGeneration: 3,
      recoveryMnemonic: "abandon ".repeat(23) + "art",
      createdAt: "2026-01-01T00:00:00Z",
    },
  } as unknown as Documents;
}

Deno.test("jobs: a job holds its dataset's credentials and the recipient, nothing else", () => {
  const job = jobFor(docs(), PHOTOS);
  assert.equal(job.format, "paradux-job-v1");
  assert.deepEqual(job.dataset, PHOTOS);
  assert.deepEqual(job.encryption, { recipient: "age1" + "q".repeat(58), keyGeneration: 3 });
  const text = JSON.stringify(job);
  assert.match(text, /KEY-PHOTOS/);
  assert.match(text, /S3-SECRET-PHOTOS/);
  assert.doesNotMatch(text, /AGE-SECRET-KEY|RESTIC-PASS-MAIL|abandon/);
  const mail = JSON.stringify(jobFor(docs(), MAIL));
  assert.doesNotMatch(mail, /KEY-PHOTOS|S3-SECRET-PHOTOS|AGE-SECRET-KEY/);
  // the job is a copy: changing it does not change the vault's document
  job.dataset.destinations.pop();
  assert.equal(PHOTOS.destinations.length, 3);
});

Deno.test("units: program command for a compiled binary and for deno run", () => {
  const table: [string, string, string[]][] = [
    ["/usr/local/bin/paradux", "file:///tmp/deno-compile-paradux/main.ts", [
      "/usr/local/bin/paradux",
    ]],
    ["/usr/bin/deno", "file:///opt/paradux/main.ts", [
      "/usr/bin/deno",
      "run",
      "-q",
      "-P=paradux",
      "--config",
      "/opt/paradux/deno.json",
      "/opt/paradux/main.ts",
    ]],
    ["/usr/bin/deno", "https://example.org/main.ts", ["/usr/bin/deno"]],
  ];
  for (const [exe, main, want] of table) assert.deepEqual(programArgv(exe, main), want);
});

Deno.test("units: PrivateTmp is off only when a path the run uses is under /tmp or /var/tmp", async () => {
  const HOME = "/var/lib/paradux";
  assert.equal(privateTmpFor(PHOTOS, HOME), "yes");
  assert.equal(privateTmpFor(MAIL, HOME), "yes");
  const cases: [string, Dataset, string][] = [
    ["home", PHOTOS, "/tmp/paradux-home"],
    ["local copy", { ...PHOTOS, localCopy: "/var/tmp/copies/photos" }, HOME],
    ["file source", { ...MAIL, source: { url: "file:///tmp/Mail" } }, HOME],
    ["file destination", {
      ...MAIL,
      destinations: [{ name: "usb", url: "file:///tmp/usb", frequency: "daily" }],
    }, HOME],
  ];
  for (const [what, ds, home] of cases) assert.equal(privateTmpFor(ds, home), "no", what);
  // a local restic repository counts; look-alikes and remote locations do not
  const resticAt = (url: string): Dataset => ({
    ...MAIL,
    destinations: [{ name: "r", url, frequency: "daily" }],
  });
  assert.equal(privateTmpFor(resticAt("restic:/tmp/r"), HOME), "no");
  assert.equal(privateTmpFor(resticAt("restic:sftp:nas:/tmp/r"), HOME), "yes");
  assert.equal(privateTmpFor({ ...PHOTOS, localCopy: "/tmpfs/photos" }, HOME), "yes");
  const templates = await loadTemplates();
  const service = unitsFor(cases[0]![1], cases[0]![2], ["/usr/bin/paradux"], templates)
    .get("paradux-backup@photos.service") ?? "";
  assert.ok(service.split("\n").includes("PrivateTmp=no"), service);
});

Deno.test("units: a local restic repository's parent is writable, remote ones are not", () => {
  const ds: Dataset = {
    ...MAIL,
    destinations: [
      { name: "a", url: "restic:/srv/restic/mail", frequency: "daily" },
      { name: "b", url: "restic:sftp:nas:/srv/restic/mail", frequency: "daily" },
      { name: "c", url: "file:///media/usb/mail/", frequency: "daily" },
    ],
  };
  assert.deepEqual(writablePaths(ds, "/var/lib/paradux").filter((p) => p.optional), [
    { path: "/srv/restic", optional: true },
    { path: "/media/usb", optional: true },
  ]);
});

Deno.test("units: writable paths, calendars, unit text", async () => {
  assert.deepEqual(writablePaths(PHOTOS, "/var/lib/paradux"), [
    { path: "/var/lib/paradux/copies/photos" },
    { path: "/var/lib/paradux/state" },
    { path: "/var/lib/paradux/locks" },
    { path: "/media/usb", optional: true },
  ]);
  assert.deepEqual(calendarsOf(PHOTOS), ["daily", "Sun *-*-* 03:00:00"]);
  const templates = await loadTemplates();
  const units = unitsFor(PHOTOS, "/var/lib/paradux", ["/usr/bin/paradux"], templates);
  assert.deepEqual([...units.keys()], [
    "paradux-backup@photos.service",
    "paradux-backup@photos.timer",
  ]);
  const service = units.get("paradux-backup@photos.service") ?? "";
  for (
    const line of [
      "Type=oneshot",
      "ExecStart=/usr/bin/paradux --vault /var/lib/paradux backup --job " +
      "/var/lib/paradux/jobs/photos.json",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "PrivateTmp=yes",
      "RuntimeDirectory=paradux-backup-photos",
      "RuntimeDirectoryMode=0700",
      "ReadWritePaths=/var/lib/paradux/copies/photos /var/lib/paradux/state " +
      "/var/lib/paradux/locks -/media/usb",
    ]
  ) assert.ok(service.split("\n").includes(line), `${line}\n---\n${service}`);
  assert.doesNotMatch(service, /\{\{/);
  const timer = units.get("paradux-backup@photos.timer") ?? "";
  const timerLines = timer.split("\n");
  assert.deepEqual(timerLines.filter((l) => l.startsWith("OnCalendar=")), [
    "OnCalendar=daily",
    "OnCalendar=Sun *-*-* 03:00:00",
  ]);
  for (
    const line of [
      "Persistent=true",
      "Unit=paradux-backup@photos.service",
      "WantedBy=timers.target",
    ]
  ) {
    assert.ok(timerLines.includes(line), line);
  }
  // no destinations, no timer
  assert.equal(unitsFor(EMPTY, "/h", ["/p"], templates).size, 0);
  assert.deepEqual([...allUnits(docs(), "/h", ["/p"], templates).keys()].sort(), [
    "paradux-backup@mail.service",
    "paradux-backup@mail.timer",
    "paradux-backup@photos.service",
    "paradux-backup@photos.timer",
  ]);
});

Deno.test("units: where units go after a vault change", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assert.deepEqual(unitTarget(env({ PARADUX_UNITS_ROOT: "/r" }), 1000, false), { root: "/r" });
  assert.deepEqual(unitTarget(env({}), 0, true), {});
  assert.deepEqual(unitTarget(env({}), 1000, true), { skip: "not running as root" });
  assert.deepEqual(unitTarget(env({}), 0, false), { skip: "systemd is not running" });
  assert.deepEqual(unitTarget(env({ PARADUX_UNITS_ROOT: "" }), 0, false), {
    skip: "systemd is not running",
  });
});
