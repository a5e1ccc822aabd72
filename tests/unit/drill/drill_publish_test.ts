import assert from "node:assert/strict";
import { differingDocuments, formatAge, maxSnapshotAgeMs, sampleOf } from "../../../drill/drill.ts";
import { fetchPublishedExport, publishError, selectLocations } from "../../../vault/publish.ts";
import { initialDocuments } from "../../../vault/documents.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { isUserError } from "../../../errors.ts";
import { drillTable } from "../../../commands/drill.ts";
import { checkArgs } from "../../../system/restic.ts";

Deno.test("drill: snapshot age limits are twice the frequency", () => {
  const h = 3600_000;
  const table: [string, number][] = [
    ["hourly", 2 * h],
    ["daily", 48 * h],
    ["weekly", 14 * 24 * h],
    ["monthly", 62 * 24 * h],
    ["Mon *-*-* 03:00", 31 * 24 * h],
  ];
  for (const [f, ms] of table) assert.equal(maxSnapshotAgeMs(f), ms, f);
});

Deno.test("drill: ages read as minutes, hours, days", () => {
  assert.equal(formatAge(59_000), "0m");
  assert.equal(formatAge(5 * 60_000), "5m");
  assert.equal(formatAge(3 * 3600_000), "3h");
  assert.equal(formatAge(47 * 3600_000), "47h");
  assert.equal(formatAge(72 * 3600_000), "3d");
});

Deno.test("drill: samples spread over the list, all of a short one", () => {
  assert.deepEqual(sampleOf([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(sampleOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
  assert.deepEqual(sampleOf([1, 2], 0), []);
});

Deno.test("drill: differing documents are named in document order", async () => {
  const a = initialDocuments(await newSecrets(2), "A");
  const b = structuredClone(a);
  assert.deepEqual(differingDocuments(a, b), []);
  b.settings.publishAfterEdit = false;
  b.user.name = "B";
  assert.deepEqual(differingDocuments(a, b), ["user", "settings"]);
});

Deno.test("drill: the table aligns its columns and marks failures", () => {
  const lines = drillTable([
    { area: "metadata", name: "usb", ok: true, message: "fine" },
    {
      area: "destination",
      name: "photos/nas",
      ok: false,
      failure: "altered-files",
      message: "altered",
    },
  ]);
  assert.equal(lines[0], "CHECK        NAME        RESULT  DETAILS");
  assert.equal(lines[1], "metadata     usb         pass    fine");
  assert.equal(lines[2], "destination  photos/nas  FAIL    altered");
});

Deno.test("publish: location selection and the error kind of a partial publish", () => {
  const all = [{ name: "a", url: "file:///a" }, { name: "b", url: "file:///b" }];
  assert.deepEqual(selectLocations(all, undefined), all);
  assert.deepEqual(selectLocations(all, ["b"]), [all[1]]);
  assert.throws(() => selectLocations(all, ["c"]), (e) => isUserError(e, "usage"));
  const ok = { location: "a", url: "file:///a", ok: true, ms: 1 };
  const bad = { location: "b", url: "file:///b", ok: false, error: "down", ms: 1 };
  assert.equal(publishError({ exportSize: 1, results: [ok] }), null);
  assert.equal(publishError({ exportSize: 1, results: [ok, bad] })?.kind, "partial");
  assert.equal(publishError({ exportSize: 1, results: [bad] })?.kind, "tool-failed");
});

Deno.test("restic check arguments: structure, then a data subset", () => {
  const g = { repositoryFile: "/p/repo", passwordFile: "/p/pw" };
  const base = ["--repository-file", "/p/repo", "--password-file", "/p/pw", "--no-cache"];
  assert.deepEqual(checkArgs(g), ["check", ...base]);
  assert.deepEqual(checkArgs(g, "10%"), ["check", ...base, "--read-data-subset", "10%"]);
});

Deno.test("recover --from URL: a file location downloads; one that needs credentials says so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/loc`);
    await Deno.writeTextFile(`${dir}/loc/vault-export.luks`, "export bytes");
    await Deno.mkdir(`${dir}/out`);
    const got = await fetchPublishedExport(`file://${dir}/loc`, `${dir}/out`);
    assert.equal(got, `${dir}/out/vault-export.luks`);
    assert.equal(await Deno.readTextFile(got), "export bytes");
    assert.equal(await fetchPublishedExport("gopher://h/x", `${dir}/out`), null);
    await assert.rejects(
      fetchPublishedExport("ftp://u@127.0.0.1:1/x", `${dir}/out`),
      (e) => isUserError(e, "usage") && /missing credential password/.test((e as Error).message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
