/**
 * Fuzzing the vault's metadata schemas (vault/schema.ts, vault/validate.ts, vault/json.ts):
 * random JSON values and random text give issues or a ParaduxError, never a raw exception or a
 * near-hang; structural mutations of valid, fully populated documents are caught — a value of
 * another JSON type, a missing required field or an unknown field is always reported at (or
 * under) the path that was changed, and the text path (`checkDocumentText`) agrees with the value
 * path (`validateDocument`). Runs: PARADUX_FUZZ_RUNS (see tests/helpers/fuzz.ts).
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkDocumentText,
  parseDocument,
  SCHEMAS,
  validateDocument,
} from "../../../vault/schema.ts";
import {
  DOCUMENT_NAMES,
  type DocumentName,
  type Documents,
  documentText,
  initialDocuments,
} from "../../../vault/documents.ts";
import { childPath, parseJsonLocated } from "../../../vault/json.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import { fuzzRuns, outcome } from "../../helpers/fuzz.ts";

/** Valid documents with every optional field and list filled in. */
async function fullDocuments(): Promise<Documents> {
  const docs = initialDocuments(await newSecrets(2), "Ann Example");
  docs.user = {
    name: "Ann",
    email: "ann@example.org",
    phone: "+1 555",
    address: "1 Road",
    notes: "n",
    successor: { name: "Sam", email: "sam@example.org", phone: "1", address: "2 Road", notes: "s" },
  };
  docs.stewards.stewards = [
    { id: "bob", name: "Bob", email: "bob@example.org", notes: "neighbour" },
    { id: "carol-2", name: "Carol", phone: "123" },
  ];
  docs.datasets.datasets = [{
    name: "photos",
    source: { url: "file:///home/ann/Photos", credentials: {} },
    localCopy: "/var/lib/paradux/copies/photos",
    destinations: [
      { name: "usb", url: "file:///media/usb/photos", frequency: "daily" },
      {
        name: "cloud",
        url: "s3://bucket/photos",
        frequency: "Mon *-*-* 03:00:00",
        credentials: { accessKeyId: "AK", secretAccessKey: "SK" },
        encrypt: true,
        keep: 7,
      },
    ],
  }];
  docs["metadata-locations"].locations = [
    { name: "usb", url: "file:///media/usb/vault" },
    { name: "host", url: "rsync+ssh://u@h/vault", credentials: { key: "k" } },
  ];
  const now = new Date(0).toISOString();
  docs.secrets.issuedShares = [{ stewardId: "bob", index: 1, issuedAt: now, exportedAt: now }];
  docs.secrets.retiredShares = [{ stewardId: "carol-2", index: 2, issuedAt: now }];
  docs.secrets.dataKeyGeneration = 2;
  docs.secrets.dataKeyCreatedAt = now;
  docs.secrets.retiredDataKeys = [{
    generation: 1,
    identity: docs.secrets.ageIdentity,
    recipient: docs.secrets.ageRecipient,
    createdAt: now,
  }];
  docs.secrets.recoveryCard = "AAAA";
  docs.secrets.recoveryCardIssuedAt = now;
  docs.secrets.shareSet = {
    setId: "00".repeat(16),
    polynomialSeed: "11".repeat(32),
    shareCount: 16,
    createdAt: now,
  };
  return docs;
}

const DOCS = await fullDocuments();

/** Fields the schemas mark optional (deleting them keeps a document valid). */
const OPTIONAL = new Set(
  [
    "email",
    "phone",
    "address",
    "notes",
    "credentials",
    "successor",
    "encrypt",
    "keep",
    "exportedAt",
    "dataKeyGeneration",
    "dataKeyCreatedAt",
    "retiredDataKeys",
    "recoveryCardIssuedAt",
    "shareSet",
    "retiredShares",
  ],
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One node of a document: the keys leading to it and its JSON path text. */
interface Node {
  keys: (string | number)[];
  path: string;
  value: Json;
  /** True inside a credentials map (any key, string values). */
  inMap: boolean;
}

function nodesOf(value: Json, keys: (string | number)[] = [], path = "$", inMap = false): Node[] {
  const out: Node[] = [{ keys, path, value, inMap }];
  const isMap = keys.at(-1) === "credentials";
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...nodesOf(v, [...keys, i], childPath(path, i))));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(...nodesOf(v, [...keys, k], childPath(path, k), isMap));
    }
  }
  return out;
}

function kindOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** A JSON value of some other kind than `v` (never null where null is allowed). */
function otherKind(v: Json, nullable: boolean): fc.Arbitrary<Json> {
  const all: fc.Arbitrary<Json>[] = [
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant([]),
    fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Json>,
    fc.constant({}),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
    fc.constant(null),
  ];
  // the same value in another type: "1" for 1, 1 for "1", "true" for true
  if (typeof v === "number" || typeof v === "boolean") all.push(fc.constant(String(v)));
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) {
    all.push(fc.constant(Number(v)));
  }
  return fc.oneof(...all).filter((x) => kindOf(x) !== kindOf(v) && !(x === null && nullable));
}

function setAt(root: Json, keys: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(root) as Json;
  if (keys.length === 0) return value ?? null;
  let node = copy as Record<string | number, Json>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function under(issuePath: string, path: string): boolean {
  return issuePath === path || issuePath.startsWith(path + ".") ||
    issuePath.startsWith(path + "[");
}

/** The text path agrees with the value path, and parseDocument throws only ParaduxError. */
function checkTextAgrees(name: DocumentName, value: Json): string[] {
  const issues = outcome(() => validateDocument(name, value));
  assert.ok(issues.ok);
  const text = documentText(value);
  const r = outcome(() => checkDocumentText(name, text));
  assert.ok(r.ok);
  assert.equal(r.value.ok, issues.value.length === 0);
  if (!r.value.ok) {
    assert.deepEqual(r.value.problems.map((p) => p.path), issues.value.map((i) => i.path));
  }
  const parsed = outcome(() => parseDocument(name, text));
  assert.equal(parsed.ok, issues.value.length === 0);
  if (!parsed.ok) assert.equal(parsed.error.kind, "input");
  return issues.value.map((i) => i.path);
}

const NAMES = fc.constantFrom(...DOCUMENT_NAMES);

Deno.test("schema fuzz: every fully populated document is valid", () => {
  for (const name of DOCUMENT_NAMES) {
    assert.deepEqual(validateDocument(name, DOCS[name]), [], name);
    assert.equal(typeof SCHEMAS[name], "function");
  }
});

Deno.test("schema fuzz: random JSON values give issues, never an exception", () => {
  fc.assert(
    fc.property(NAMES, fc.jsonValue({ maxDepth: 4 }), (name, value) => {
      checkTextAgrees(name, value as Json);
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("schema fuzz: random text gives problems or a value, never an exception", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...'{}[],:"\\ 0123456789.eE+-truefalsn\n'), maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 100 }),
  );
  fc.assert(
    fc.property(NAMES, text, (name, t) => {
      const r = outcome(() => checkDocumentText(name, t));
      assert.ok(r.ok);
      const p = outcome(() => parseDocument(name, t));
      assert.equal(p.ok, r.value.ok);
      if (!p.ok) assert.equal(p.error.kind, "input");
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test("schema fuzz: the located JSON parser agrees with JSON.parse", () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 6 }), (t) => {
      const r = outcome(() => parseJsonLocated(t).value);
      assert.ok(r.ok);
      assert.deepEqual(r.value, JSON.parse(t));
    }),
    { numRuns: fuzzRuns(2000) },
  );
  const near = fc.string({
    unit: fc.constantFrom(...'{}[],:"\\ 0123456789.eE+-truefalsnu\n\t\r/'),
    maxLength: 40,
  });
  fc.assert(
    fc.property(near, (t) => {
      let ours: { ok: true; value: unknown } | { ok: false; message: string };
      try {
        ours = { ok: true, value: parseJsonLocated(t).value };
      } catch (e) {
        assert.equal((e as Error).name, "JsonSyntaxError", String(e));
        ours = { ok: false, message: (e as Error).message };
      }
      let native: { ok: true; value: unknown } | { ok: false };
      try {
        native = { ok: true, value: JSON.parse(t) };
      } catch {
        native = { ok: false };
      }
      if (ours.ok) {
        assert.ok(native.ok, `accepted invalid JSON ${JSON.stringify(t)}`);
        assert.deepEqual(ours.value, native.value);
      } else if (native.ok) {
        // stricter on purpose: duplicate keys are refused
        assert.match(ours.message, /duplicate key/, JSON.stringify(t));
      }
    }),
    { numRuns: fuzzRuns(5000) },
  );
});

Deno.test("schema fuzz: deeply nested text is refused, not a stack overflow", () => {
  for (const depth of [100, 10_000, 200_000]) {
    const r = outcome(() => checkDocumentText("user", "[".repeat(depth) + "]".repeat(depth)));
    assert.ok(r.ok && !r.value.ok, `depth ${depth}`);
  }
});

const MUTATION = fc.constantFrom("retype", "delete", "unknown-field");

/** One value of each JSON kind, plus the value written as another type. */
function representatives(v: Json): Json[] {
  const out: Json[] = ["x", 7, -1.5, true, [], ["a"], {}, { a: 1 }, null];
  if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) out.push(Number(v));
  return out;
}

Deno.test("schema fuzz: every node of every document, retyped, is reported at its path", () => {
  let checked = 0;
  for (const name of DOCUMENT_NAMES) {
    const root = DOCS[name] as unknown as Json;
    for (const node of nodesOf(root)) {
      for (const r of representatives(node.value)) {
        if (kindOf(r) === kindOf(node.value) && typeof r !== "string") continue;
        if (typeof r === "string" && typeof node.value === "string") continue;
        if (r === null && node.path === "$.recoveryCard") continue;
        if (node.inMap && typeof r === "string") continue;
        const paths = checkTextAgrees(name, setAt(root, node.keys, r));
        assert.ok(
          paths.some((p) => under(p, node.path)),
          `${name} ${node.path} = ${JSON.stringify(r)} was accepted`,
        );
        checked++;
      }
    }
  }
  assert.ok(checked > 500, `${checked}`);
});

Deno.test("schema fuzz: mutations of valid documents are reported at the changed path", () => {
  const arb = NAMES.chain((name) => {
    const nodes = nodesOf(DOCS[name] as unknown as Json);
    return fc.tuple(fc.constant(name), fc.constantFrom(...nodes), MUTATION).chain((
      [n, node, mutation],
    ) =>
      fc.tuple(
        fc.constant(n),
        fc.constant(node),
        fc.constant(mutation),
        otherKind(node.value, node.path === "$.recoveryCard"),
        fc.string({ minLength: 1, maxLength: 12 }),
      )
    );
  });
  fc.assert(
    fc.property(arb, ([name, node, mutation, replacement, newKey]) => {
      const root = DOCS[name] as unknown as Json;
      if (mutation === "retype") {
        if (node.inMap && typeof replacement === "string") return; // any string is a credential
        const paths = checkTextAgrees(name, setAt(root, node.keys, replacement));
        assert.ok(
          paths.some((p) => under(p, node.path)),
          `${name} ${node.path} = ${JSON.stringify(replacement)} not reported: ${paths}`,
        );
      } else if (mutation === "delete") {
        const last = node.keys.at(-1);
        if (typeof last !== "string") return; // array elements may come and go
        const paths = checkTextAgrees(name, setAt(root, node.keys, undefined));
        const parent = node.path.slice(0, node.path.length - childPath("", last).length) || "$";
        const mayGo = OPTIONAL.has(last) || node.inMap;
        assert.equal(paths.length === 0, mayGo, `${name}: deleting ${node.path} gave ${paths}`);
        if (!mayGo) assert.ok(paths.includes(parent), `${parent} not in ${paths}`);
      } else {
        const v = node.value;
        if (v === null || typeof v !== "object" || Array.isArray(v)) return;
        if (Object.hasOwn(v, newKey)) return;
        const added = setAt(root, [...node.keys, newKey], "x");
        const paths = checkTextAgrees(name, added);
        const inCredentials = node.keys.at(-1) === "credentials";
        assert.equal(paths.length === 0, inCredentials, `${name}: added ${newKey} at ${node.path}`);
        if (!inCredentials) assert.ok(paths.includes(childPath(node.path, newKey)), `${paths}`);
      }
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

Deno.test('schema regression: secrets.version given as the string "1" is refused', () => {
  const issues = validateDocument("secrets", { ...DOCS.secrets, version: "1" });
  assert.deepEqual(issues.map((i) => i.path), ["$.version"]);
  assert.deepEqual(validateDocument("secrets", { ...DOCS.secrets, version: 1 }), []);
});
