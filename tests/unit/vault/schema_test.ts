import assert from "node:assert/strict";
import fc from "fast-check";
import { JsonSyntaxError, parseJsonLocated } from "../../../vault/json.ts";
import {
  checkDocumentText,
  formatProblem,
  parseDocument,
  validateDocument,
} from "../../../vault/schema.ts";
import { DOCUMENT_NAMES, documentText, initialDocuments } from "../../../vault/documents.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { isUserError } from "../../../errors.ts";

function problems(name: Parameters<typeof checkDocumentText>[0], text: string): string[] {
  const r = checkDocumentText(name, text);
  return r.ok ? [] : r.problems.map(formatProblem);
}

Deno.test("json: syntax errors carry line and column", () => {
  const cases: [string, number, number, RegExp][] = [
    ['{\n  "a": 1,\n}', 3, 1, /trailing comma/],
    ['{\n  "a" 1\n}', 2, 7, /expected ':'/],
    ["{\n  'a': 1\n}", 2, 3, /double quotes|property name/],
    ["[1, 2", 1, 6, /expected ','/],
    ['{"a": tru}', 1, 7, /expected a value/],
    ['{"a": 1} x', 1, 10, /after the JSON value/],
    ['{"a": 1, "a": 2}', 1, 10, /duplicate key "a"/],
    ['{"a": "x\ny"}', 1, 9, /control character/],
    ["", 1, 1, /expected a value, found end of input/],
  ];
  for (const [text, line, column, re] of cases) {
    try {
      parseJsonLocated(text);
      assert.fail(`parsed: ${text}`);
    } catch (e) {
      assert.ok(e instanceof JsonSyntaxError, String(e));
      assert.deepEqual(e.position, { line, column }, `${JSON.stringify(text)}: ${e.message}`);
      assert.match(e.message, re);
    }
  }
});

Deno.test("json: parses like JSON.parse and maps paths to positions", () => {
  const text =
    '{\n  "stewards": [\n    {"id": "alice"},\n    {"id": "b b", "x y": [1, -2.5e3, true, null, "\\u00e9\\n"]}\n  ]\n}';
  const r = parseJsonLocated(text);
  assert.deepEqual(r.value, JSON.parse(text));
  assert.deepEqual(r.positions.get("$.stewards[1].id"), { line: 4, column: 12 });
  assert.deepEqual(r.positions.get('$.stewards[1]["x y"][1]'), { line: 4, column: 30 });
  // __proto__ is an ordinary key, as with JSON.parse
  const p = parseJsonLocated('{"__proto__": {"polluted": 1}}').value as Record<string, unknown>;
  assert.ok(Object.hasOwn(p, "__proto__"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("schema: errors name the file, JSON path, line and column", () => {
  const text =
    '{\n  "stewards": [\n    {"id": "alice", "name": "Alice"},\n    {"id": "Bob!", "name": "Bob", "emial": "b@x"},\n    {"id": "alice", "name": ""}\n  ]\n}\n';
  assert.deepEqual(problems("stewards", text), [
    'stewards.json:4:12: $.stewards[1].id: must be a short name of lowercase letters, digits and dashes (like "alice" or "photos-2024")',
    "stewards.json:4:44: $.stewards[1].emial: is not a known field (known: id, name, email, phone, address, notes)",
    "stewards.json:5:29: $.stewards[2].name: must not be empty",
    'stewards.json:5:12: $.stewards[2].id: "alice" is already used by $.stewards[0]',
  ]);
  assert.deepEqual(problems("user", '{"name": "A",}'), [
    "user.json:1:14: $: invalid JSON: trailing comma before '}'",
  ]);
  assert.deepEqual(problems("user", "{}"), ['user.json:1:1: $: needs a field "name"']);
  assert.throws(
    () => parseDocument("settings", '{"shareCapacity": 1, "publishAfterEdit": "yes"}'),
    (e) =>
      isUserError(e, "input") &&
      /settings\.json:1:19: \$\.shareCapacity: must be a whole number/.test(e.message) &&
      /\$\.publishAfterEdit: must be true or false/.test(e.message),
  );
});

Deno.test("schema: datasets and metadata locations check URLs, paths, frequencies", () => {
  const ok = {
    datasets: [{
      name: "photos",
      source: { url: "file:///home/me/Photos" },
      localCopy: "/var/lib/paradux/copies/photos",
      destinations: [
        { name: "usb", url: "file:///media/usb/photos", frequency: "daily" },
        {
          name: "cloud",
          url: "rclone://remote:bucket/photos",
          frequency: "Mon *-*-* 03:00:00",
          credentials: { token: "x" },
          encrypt: true,
          keep: 7,
        },
      ],
    }],
  };
  assert.deepEqual(validateDocument("datasets", ok), []);
  const bad = structuredClone(ok);
  const d0 = bad.datasets[0]! as unknown as Record<string, unknown> & { destinations: unknown };
  const [dst0, dst1] = d0.destinations as unknown as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  d0.localCopy = "relative/path";
  dst0.url = "not a url";
  dst1.frequency = "every\nday";
  dst1.credentials = { token: 5 };
  dst1.name = "usb";
  assert.deepEqual(validateDocument("datasets", bad).map((i) => i.path), [
    "$.datasets[0].localCopy",
    "$.datasets[0].destinations[0].url",
    "$.datasets[0].destinations[1].frequency",
    "$.datasets[0].destinations[1].credentials.token",
    "$.datasets[0].destinations[1].name",
  ]);
  assert.deepEqual(
    validateDocument("metadata-locations", { locations: [{ name: "a", url: "sftp://h/x" }] }),
    [],
  );
  assert.equal(
    validateDocument("metadata-locations", { locations: [{ name: "a", url: "/abs" }] }).length,
    1,
  );
});

Deno.test("schema: a new vault's documents are valid and survive a text round trip", async () => {
  const docs = initialDocuments(await newSecrets(3), "Ann");
  for (const name of DOCUMENT_NAMES) {
    assert.deepEqual(validateDocument(name, docs[name]), [], name);
    assert.deepEqual(parseDocument(name, documentText(docs[name])), docs[name]);
  }
  const broken = { ...docs.secrets, recoveryMnemonic: "abandon ".repeat(23) + "abandon" };
  assert.equal(validateDocument("secrets", broken)[0]?.path, "$.recoveryMnemonic");
});

Deno.test("schema: random JSON and random edits never crash the validator", async () => {
  const docs = initialDocuments(await newSecrets(2), "Ann");
  const names = fc.constantFrom(...DOCUMENT_NAMES);
  fc.assert(
    fc.property(names, fc.jsonValue(), (name, value) => {
      const issues = validateDocument(name, value);
      assert.ok(Array.isArray(issues));
    }),
    { numRuns: 500 },
  );
  // random text edits of valid documents: parse errors or issues, never an exception
  fc.assert(
    fc.property(
      names,
      fc.nat(),
      fc.nat(),
      fc.string({ maxLength: 8 }),
      (name, a, b, insert) => {
        const text = documentText(docs[name]);
        const from = a % (text.length + 1);
        const to = Math.min(text.length, from + (b % 6));
        const edited = text.slice(0, from) + insert + text.slice(to);
        const r = checkDocumentText(name, edited);
        if (!r.ok) {
          assert.ok(r.problems.length > 0);
          for (const p of r.problems) {
            assert.match(formatProblem(p), /^[a-z-]+\.json(:\d+:\d+)?: \$/);
          }
        }
        let native: unknown;
        try {
          native = JSON.parse(edited);
        } catch {
          native = undefined;
        }
        if (r.ok) assert.deepEqual(r.value, native);
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("json: // line comments only when allowed, never inside strings", () => {
  const text = '// a guide\n{\n  // the url\n  "url": "file:///a//b" // trailing\n}\n// end';
  assert.deepEqual(parseJsonLocated(text, { comments: true }).value, { url: "file:///a//b" });
  assert.deepEqual(
    parseJsonLocated(text, { comments: true }).positions.get("$.url"),
    { line: 4, column: 10 },
  );
  assert.throws(() => parseJsonLocated(text), JsonSyntaxError);
});
