import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { lines, makeSandbox, paradux, withPass } from "./sandbox.ts";
import { exists } from "../../system/exists.ts";
import { diffTrees, makeUnusualTree } from "../helpers/tree.ts";
import { verifyUnits } from "../../system/systemd.ts";

Deno.test("e2e backup: a down destination fails alone; old snapshots survive deletions; restore", async () => {
  const s = await makeSandbox("backup");
  try {
    const src = join(s.root, "src");
    await Deno.mkdir(src);
    await makeUnusualTree(src);
    const expectedFirst = join(s.root, "expected-first");
    const cp = await new Deno.Command("cp", { args: ["-a", src, expectedFirst] }).output();
    assert.ok(cp.success);
    await Deno.writeTextFile(join(s.root, "a-file"), "not a directory\n");
    const datasets = {
      datasets: [{
        name: "docs",
        source: { url: `file://${src}` },
        localCopy: join(s.root, "copy"),
        destinations: [
          // every second: always due again by the next run
          { name: "good", url: `file://${s.root}/dest-good`, frequency: "*-*-* *:*:*" },
          { name: "down", url: `file://${s.root}/a-file/dest`, frequency: "daily" },
        ],
      }],
    };
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await Deno.writeTextFile(join(s.root, "editor", "next.json"), JSON.stringify(datasets));
    r = await withPass(s, ["edit-datasets"]);
    assert.equal(r.code, 0, r.stderr);

    // the vault change wrote the job file and the units
    const job = join(s.home, "jobs", "docs.json");
    assert.equal((await Deno.stat(job)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(join(s.home, "jobs"))).mode! & 0o777, 0o700);
    const jobText = await Deno.readTextFile(job);
    assert.match(jobText, /"recipient": "age1[0-9a-z]{58}"/);
    assert.doesNotMatch(jobText, /AGE-SECRET-KEY/);
    const unitDir = join(s.unitsRoot, "etc/systemd/system");
    const service = await Deno.readTextFile(join(unitDir, "paradux-backup@docs.service"));
    assert.match(service, /--job \S*\/jobs\/docs\.json/);
    assert.match(
      await Deno.readTextFile(join(unitDir, "paradux-backup@docs.timer")),
      /^OnCalendar=daily$/m,
    );
    // they name the real program (deno run ... main.ts here) and pass systemd-analyze verify
    assert.deepEqual(
      await verifyUnits([
        join(unitDir, "paradux-backup@docs.service"),
        join(unitDir, "paradux-backup@docs.timer"),
      ]),
      [],
    );

    // install-units regenerates on demand; without a root it needs a running systemd
    const packaged = join(s.root, "pkg");
    r = await withPass(s, ["install-units", "--root", packaged]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^unit +\S*pkg\/etc\/systemd\/system\/paradux-backup@docs\.timer$/m);
    assert.match(r.stdout, /^job +\S*\/jobs\/docs\.json$/m);
    if (!(await exists("/run/systemd/system"))) {
      r = await runCli(["--vault", s.home, "install-units", "--passphrase-file", s.passFile], {
        env: { ...s.env, PARADUX_UNITS_ROOT: "" },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /systemd is not running/);
    }

    r = await withPass(s, ["backup", "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lines(r.stdout, /^would push docs\/(good|down)/).length, 2, r.stdout);

    // first run: one ok, one failed, exit 1
    r = await withPass(s, ["backup"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(lines(r.stdout, /^ok +docs\/good /).length, 1, r.stdout);
    assert.equal(lines(r.stdout, /^FAILED +docs\/down /).length, 1, r.stdout);
    assert.match(r.stderr, /1 backup failed/);
    assert.deepEqual(await diffTrees(src, join(s.root, "copy")), []);
    const first = /snapshot (\S+)\)/.exec(r.stdout)?.[1];
    assert.ok(first !== undefined, r.stdout);

    // delete at the source, run again from the job file (no passphrase): a second snapshot
    await Deno.remove(join(src, "dir with spaces"), { recursive: true });
    await Deno.remove(join(src, "private.key"));
    // "good" is due again at the first whole second after its last success: wait for it
    await new Promise((resolve) => setTimeout(resolve, 1100));
    r = await paradux(s, ["backup", "--job", job]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(lines(r.stdout, /^ok +docs\/good /).length, 1, r.stdout);
    assert.equal(lines(r.stdout, /^FAILED +docs\/down /).length, 1, r.stdout);

    r = await withPass(s, ["restore", "docs", "--from", "good", "--list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const snapshots = JSON.parse(r.stdout).snapshots as { id: string }[];
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[0]?.id, first);
    // without --from and --json: the destination of the newest success, named, then its snapshots
    r = await withPass(s, ["restore", "docs", "--list"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^snapshots at docs\/good \(file:\/\/\S+\/dest-good\):\n/);
    assert.equal(
      lines(r.stdout, /^ {2}\d{8}T\d{6}Z(-\d+)? {2}\d{4}-\d\d-\d\d /).length,
      2,
      r.stdout,
    );

    // the old snapshot still has the deleted files, byte for byte and mode for mode
    const old = join(s.root, "restored-old");
    r = await withPass(s, ["restore", "docs", "--snapshot", first, "--to", old]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /restored docs from good/);
    assert.deepEqual(await diffTrees(expectedFirst, old), []);

    // the newest (default: the destination with the newest success) matches the source now
    const now = join(s.root, "restored-now");
    r = await withPass(s, ["restore", "docs", "--to", now]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await diffTrees(src, now), []);

    // a non-empty target needs --force
    r = await withPass(s, ["restore", "docs", "--snapshot", first, "--to", now]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /is not empty/);
    r = await withPass(s, ["restore", "docs", "--snapshot", first, "--to", now, "--force"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await diffTrees(expectedFirst, now), []);

    // --location forces one destination
    r = await withPass(s, ["backup", "docs", "--location", "down"]);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stdout, /^\S/).map((l) => l.split(/ +/).slice(0, 2).join(" ")), [
      "FAILED docs/down",
    ]);

    // status: good succeeded (every second, so it is due again at once), down never succeeded (overdue) and is failing
    r = await withPass(s, ["status-datasets", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout).status[0].destinations;
    assert.equal(status[0].destination, "good");
    assert.ok(Date.parse(status[0].lastSuccess) > 0);
    assert.equal(status[0].failing, false);
    assert.match(status[0].snapshot, /^\d{8}T\d{6}Z/);
    assert.equal(status[1].overdue, true);
    assert.equal(status[1].failing, true);
    assert.ok(status[1].lastError.length > 0);
    r = await withPass(s, ["status-datasets"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}(OVERDUE )?good .*; last ok .*; next /m);
    assert.match(r.stdout, /^ {2}OVERDUE FAILING down .*never backed up/m);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
