import assert from "node:assert/strict";
import { join } from "node:path";
import { isUserError } from "../../errors.ts";
import { calendarNext, calendarProblem, verifyUnits } from "../../system/systemd.ts";
import type { Documents } from "../../vault/documents.ts";
import { writeJobs } from "../../datasets/jobs.ts";
import { nextNamedElapse } from "../../datasets/schedule.ts";
import { currentProgram, installUnits, refreshUnattended } from "../../datasets/units.ts";

function docsWith(datasets: unknown[]): Documents {
  return {
    datasets: { datasets },
    secrets: {
      ageIdentity: "AGE-SECRET-KEY-1" + "Q".repeat(58),
      ageRecipient: "age1" + "q".repeat(58),
      createdAt: "2026-01-01T00:00:00Z",
    },
  } as unknown as Documents;
}

function dataset(root: string, name: string, frequencies: string[]) {
  return {
    name,
    source: { url: `file://${root}/src ${name}` },
    localCopy: join(root, `copy %${name}`),
    destinations: frequencies.map((frequency, i) => ({
      name: `d${i}`,
      url: `file://${root}/usb/${name}-${i}`,
      frequency,
    })),
  };
}

Deno.test("units: generated units pass systemd-analyze verify; stale ones are removed", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-units-" });
  try {
    const home = join(root, "home with space");
    const docs = docsWith([
      dataset(root, "photos", ["daily", "Sun *-*-* 03:00:00", "daily"]),
      dataset(root, "mail", ["hourly", "*-*-01 04:00"]),
      dataset(root, "weekly-only", ["weekly", "monthly"]),
    ]);
    const report = await installUnits(docs, home, { root: join(root, "r") });
    assert.equal(report.live, false);
    assert.equal(report.written.length, 6);
    const dir = join(root, "r/etc/systemd/system");
    assert.deepEqual(await verifyUnits(report.written), []);
    // a broken unit is caught by the same check (the test can fail)
    const broken = join(root, "paradux-backup@broken.service");
    await Deno.writeTextFile(
      broken,
      (await Deno.readTextFile(join(dir, "paradux-backup@mail.service")))
        .replace("NoNewPrivileges=yes", "NoNewPrivileges=perhaps"),
    );
    assert.notDeepEqual(await verifyUnits([broken]), []);

    // mail is gone: its units go too; an unrelated unit stays
    await Deno.writeTextFile(join(dir, "other.service"), "[Service]\nExecStart=/bin/true\n");
    const again = await installUnits(docsWith([docs.datasets.datasets[0]]), home, {
      root: join(root, "r"),
    });
    assert.deepEqual(again.removed.filter((n) => n.startsWith("paradux-backup@mail")), [
      "paradux-backup@mail.service",
      "paradux-backup@mail.timer",
    ]);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, [
      "other.service",
      "paradux-backup@photos.service",
      "paradux-backup@photos.timer",
    ]);
    assert.ok(currentProgram().length >= 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("units: an invalid OnCalendar expression is refused before anything is written", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-units-" });
  try {
    const docs = docsWith([dataset(root, "x", ["daily", "every full moon"])]);
    await assert.rejects(installUnits(docs, root, { root: join(root, "r") }), (e) => {
      assert.ok(isUserError(e, "input"));
      assert.match(e.message, /x\/d1: invalid frequency "every full moon"/);
      return true;
    });
    await assert.rejects(Deno.stat(join(root, "r")), Deno.errors.NotFound);
    assert.equal(await calendarProblem("Sun *-*-* 03:00"), undefined);
    assert.match((await calendarProblem("25:99")) ?? "", /invalid frequency/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("units: named frequencies agree with systemd-analyze calendar --base-time", async () => {
  const bases = [
    "2026-11-24T10:15:00Z",
    "2026-11-24T00:00:00Z",
    "2026-11-29T23:59:59Z",
    "2026-11-30T00:00:00Z",
    "2026-12-31T23:30:00Z",
    "2028-02-28T12:00:00Z",
  ];
  for (const freq of ["hourly", "daily", "weekly", "monthly"] as const) {
    for (const base of bases) {
      const want = await calendarNext(freq, new Date(base), 2);
      const first = nextNamedElapse(freq, new Date(base));
      const second = nextNamedElapse(freq, first);
      assert.deepEqual(
        [first, second].map((d) => d.toISOString()),
        want.map((d) => d.toISOString()),
        `${freq} ${base}`,
      );
    }
  }
});

Deno.test("units: refreshUnattended writes 0600 jobs in a 0700 dir and units under the env root", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-units-" });
  // the environment as refreshUnattended reads it (the process's is shared by parallel tests)
  const env = (n: string) => n === "PARADUX_UNITS_ROOT" ? join(root, "r") : Deno.env.get(n);
  try {
    const home = join(root, "home");
    const docs = docsWith([dataset(root, "a", ["daily"]), dataset(root, "b", ["weekly"])]);
    const report = await refreshUnattended(docs, home, env);
    assert.equal(report.jobs.written.length, 2);
    assert.ok("written" in report.units && report.units.written.length === 4);
    assert.equal((await Deno.stat(join(home, "jobs"))).mode! & 0o777, 0o700);
    for (const f of report.jobs.written) assert.equal((await Deno.stat(f)).mode! & 0o777, 0o600);
    // dataset b removed: its job goes
    const after = await writeJobs(docsWith([docs.datasets.datasets[0]]), home);
    assert.deepEqual(after.removed, [join(home, "jobs", "b.json")]);
    // no datasets and no jobs dir yet: nothing is created
    const empty = join(root, "empty-home");
    await writeJobs(docsWith([]), empty);
    await assert.rejects(Deno.stat(empty), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
