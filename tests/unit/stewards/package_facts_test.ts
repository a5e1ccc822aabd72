import assert from "node:assert/strict";
import { type Documents, initialDocuments } from "../../../vault/documents.ts";
import {
  packageFacts,
  printedDigests,
  staleReasons,
  stewardPackageStatus,
} from "../../../stewards/package_facts.ts";
import { withNewRecoverySecret, withRecoveryCard } from "../../../stewards/recovery_card.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { issueShares, markExported } from "../../../stewards/shares.ts";
import { letterSections, renderStewardPackage } from "../../../stewards/steward_package.ts";

async function exported(): Promise<Documents> {
  let docs = initialDocuments(await withRecoveryCard(await newSecrets(2), "Ada"), "Ada");
  docs = {
    ...docs,
    user: { name: "Ada", phone: "1", notes: "NOTE-ONE", successor: { name: "Sam", phone: "2" } },
    stewards: {
      stewards: [
        { id: "ann", name: "Ann", phone: "3", notes: "NOTE-TWO" },
        { id: "bob", name: "Bob" },
      ],
    },
    "metadata-locations": {
      locations: [{ name: "usb", url: "ftp://ada:pw@ftp.example.org/vault" }],
    },
  };
  docs = (await issueShares(docs)).docs;
  const ids = ["ann", "bob"];
  const printed = Object.fromEntries(ids.map((id) => [id, printedDigests(packageFacts(docs, id))]));
  return { ...docs, secrets: markExported(docs.secrets, ids, new Date(), printed) };
}

const reasons = (docs: Documents) => stewardPackageStatus(docs).map((s) => [s.state, s.reasons]);

Deno.test("package facts: what the letter prints, passwords hidden, notes left out", async () => {
  const docs = await exported();
  const f = packageFacts(docs, "ann");
  assert.deepEqual(f.owner, { name: "Ada", contacts: ["1"] });
  assert.deepEqual(f.successor, { name: "Sam", contacts: ["2"] });
  assert.equal(f.locations[0]!.url, "ftp://ada:********@ftp.example.org/vault");
  assert.equal(
    f.locations[0]!.words,
    "the folder vault on the FTP server ftp.example.org (user ada)",
  );
  const pkg = await renderStewardPackage(docs, "ann", { version: "9", now: new Date(0) });
  assert.doesNotMatch(pkg.text, /NOTE-|:pw@/);
  // the letter is written from the facts alone
  assert.deepEqual(
    letterSections(f, { version: "9", now: new Date(0) }),
    letterSections(
      packageFacts(docs, "ann"),
      { version: "9", now: new Date(0) },
    ),
  );
});

Deno.test("package status: current until something printed changes, then stale with reasons", async () => {
  const docs = await exported();
  assert.deepEqual(reasons(docs), [["current", []], ["current", []]]);
  // what is not printed does not matter
  const notes = { ...docs, user: { ...docs.user, notes: "changed" } };
  assert.deepEqual(reasons(notes), [["current", []], ["current", []]]);
  const ann = docs.stewards.stewards[0]!;
  const cases: [Partial<Documents>, string[]][] = [
    [{ user: { ...docs.user, phone: "9" } }, ["your name or contact details changed (edit-user)"]],
    [
      { user: { name: "Ada", phone: "1" } },
      ["the person you named (successor) changed (edit-user)"],
    ],
    [
      { stewards: { stewards: [{ ...ann, phone: "4" }, docs.stewards.stewards[1]!] } },
      ["steward ann's name or contacts changed"],
    ],
    [
      { stewards: { stewards: [docs.stewards.stewards[1]!, ann] } },
      ["the stewards' order changed"],
    ],
    [
      { "metadata-locations": { locations: [] } },
      ["the metadata locations changed"],
    ],
  ];
  for (const [change, want] of cases) {
    const st = stewardPackageStatus({ ...docs, ...change });
    for (const s of st) {
      assert.deepEqual([s.state, s.reasons], ["stale", want], JSON.stringify(change));
    }
  }
  // a steward added: the others' letters list one person less; the new one has no package yet
  const more = (await issueShares({
    ...docs,
    stewards: { stewards: [...docs.stewards.stewards, { id: "cy", name: "Cy" }] },
  })).docs;
  assert.deepEqual(reasons(more), [
    ["stale", ["steward cy was added to the list"]],
    ["stale", ["steward cy was added to the list"]],
    ["not-exported", []],
  ]);
  // a new recovery secret: the old package is stale for that reason
  const rotated = { ...docs, secrets: await withNewRecoverySecret(docs.secrets, "Ada") };
  assert.deepEqual(reasons(rotated)[0], ["stale", [
    "it holds a share of an older recovery secret",
  ]]);
  // exported before digests were recorded
  const old = { ...docs, secrets: markExported(docs.secrets, ["ann"]) };
  assert.deepEqual(reasons(old)[0], [
    "stale",
    ["printed by an older Paradux that did not record what it printed"],
  ]);
});

Deno.test("stale reasons: compared part by part", () => {
  const then = { letter: "1", owner: "a", "steward:x": "b", stewards: "c", share: "d" };
  assert.deepEqual(staleReasons(then, then), []);
  assert.deepEqual(
    staleReasons(then, { ...then, letter: "2", share: "e", "steward:y": "f", stewards: "g" }),
    [
      "the letter's wording is new (printed by an older Paradux)",
      "steward y was added to the list",
      "k, the share or the recovery card changed",
    ],
  );
});
