import assert from "node:assert/strict";
import { editDistance, frequencyProblem, locationIssues } from "../../../vault/edit_checks.ts";

Deno.test("edit checks: edit distance counts a swap of neighbours as one", () => {
  const cases: [string, string, number][] = [
    ["dialy", "daily", 1],
    ["daily", "daily", 0],
    ["daly", "daily", 1],
    ["weekyl", "weekly", 1],
    ["", "abc", 3],
    ["monthly", "hourly", 4],
  ];
  for (const [a, b, d] of cases) assert.equal(editDistance(a, b), d, `${a} ${b}`);
});

Deno.test("edit checks: one-word frequencies are systemd's shorthands, typos get a suggestion", async () => {
  for (const ok of ["daily", "hourly", "weekly", "monthly", "yearly", "quarterly", "minutely"]) {
    assert.equal(await frequencyProblem(ok), undefined, ok);
  }
  const cases: [string, RegExp][] = [
    ["dialy", /^"dialy" is not a frequency \(hint: did you mean "daily"\? use hourly, daily/],
    ["wekly", /did you mean "weekly"\?/],
    ["sometimes", /^"sometimes" is not a frequency \(hint: use hourly, daily, weekly, monthly/],
  ];
  for (const [spec, re] of cases) assert.match((await frequencyProblem(spec)) ?? "", re, spec);
});

Deno.test("edit checks: locations are judged by their protocol, by role", () => {
  const issue = (url: string, role: "source" | "destination" | "metadata", creds?: object) =>
    locationIssues(
      { url, ...(creds === undefined ? {} : { credentials: creds as Record<string, string> }) },
      "$.x",
      role,
    ).map((i) => `${i.path}: ${i.message}`);
  assert.deepEqual(issue("file:///srv/a", "source"), []);
  assert.deepEqual(issue("ftp://u@h/p", "destination", { password: "x" }), []);
  assert.match(
    issue("ftp://u@h/p", "source", { password: "x" })[0] ?? "",
    /^\$\.x\.url: the ftp protocol cannot be a dataset source/,
  );
  assert.match(
    issue("gopher://foo", "metadata")[0] ?? "",
    /^\$\.x\.url: unknown location scheme "gopher"/,
  );
  assert.match(
    issue("restic:/srv/r", "destination")[0] ?? "",
    /^\$\.x: restic location: missing credential password/,
  );
  assert.match(issue("file://rel/p", "metadata")[0] ?? "", /^\$\.x: file location: .*names a host/);
});
