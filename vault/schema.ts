/**
 * Schemas of the vault documents and the one entry point that turns a document's text into a
 * checked value: {@link parseDocument}. Errors name the file, the JSON path and the line and
 * column (for syntax errors and, when the path is found in the text, for schema errors too).
 * Location URLs are checked for syntax only; protocol-specific checks come from protocols/.
 * @module
 */
import { validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { ParaduxError } from "../errors.ts";
import { type DocumentName, type Documents, fileNameOf, FREQUENCIES } from "./documents.ts";
import { JsonSyntaxError, parseJsonLocated, type Position } from "./json.ts";
import {
  arr,
  bool,
  int,
  type Issue,
  nullable,
  obj,
  oneOf,
  SLUG,
  str,
  stringMap,
  urlProblem,
  type Validator,
} from "./validate.ts";

const slug = str({ pattern: SLUG, max: 63 });
const url = str({ test: urlProblem });
const text = str();
const optionalText = { check: str({ allowEmpty: true }), optional: true };

const frequency: Validator = str({
  max: 200,
  test: (s) =>
    (FREQUENCIES as readonly string[]).includes(s) || /^[0-9A-Za-z*:,./~ -]+$/.test(s)
      ? undefined
      : `must be ${FREQUENCIES.join(", ")} or a systemd OnCalendar expression`,
});

const absolutePath = str({
  test: (s) => s.startsWith("/") ? undefined : "must be an absolute path (starting with /)",
});

const contact = {
  email: optionalText,
  phone: optionalText,
  address: optionalText,
  notes: optionalText,
};

const hex = (bytes: number) =>
  str({ pattern: { re: new RegExp(`^[0-9a-f]{${bytes * 2}}$`), what: `${bytes} bytes in hex` } });

const isoTime = str({
  test: (s) => Number.isNaN(Date.parse(s)) ? "must be an ISO 8601 time" : undefined,
});

const ageIdentity = str({
  pattern: { re: /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/, what: "an age identity" },
});
const ageRecipient = str({ pattern: { re: /^age1[0-9a-z]{58}$/, what: "an age recipient" } });

const issuedShare = obj({
  stewardId: { check: slug },
  index: { check: int(1, 255) },
  issuedAt: { check: isoTime },
  exportedAt: { check: isoTime, optional: true },
  printed: { check: stringMap(), optional: true },
});

/** The validator of each document. */
export const SCHEMAS: Readonly<Record<DocumentName, Validator>> = {
  user: obj({
    name: { check: text },
    ...contact,
    successor: { check: obj({ name: { check: text }, ...contact }), optional: true },
  }),
  stewards: obj({
    stewards: {
      check: arr(obj({ id: { check: slug }, name: { check: text }, ...contact }), {
        uniqueBy: "id",
        max: 255,
      }),
    },
  }),
  datasets: obj({
    datasets: {
      check: arr(
        obj({
          name: { check: slug },
          source: {
            check: obj({
              url: { check: url },
              credentials: { check: stringMap(), optional: true },
            }),
          },
          localCopy: { check: absolutePath },
          destinations: {
            check: arr(
              obj({
                name: { check: slug },
                url: { check: url },
                frequency: { check: frequency },
                credentials: { check: stringMap(), optional: true },
                encrypt: { check: bool(), optional: true },
                keep: { check: int(1, 100000), optional: true },
              }),
              { uniqueBy: "name" },
            ),
          },
        }),
        { uniqueBy: "name" },
      ),
    },
  }),
  "metadata-locations": obj({
    locations: {
      check: arr(
        obj({
          name: { check: slug },
          url: { check: url },
          credentials: { check: stringMap(), optional: true },
        }),
        { uniqueBy: "name" },
      ),
    },
  }),
  settings: obj({
    shareCapacity: { check: int(2, 255) },
    publishAfterEdit: { check: bool() },
  }),
  secrets: obj({
    version: { check: oneOfNumber([1]) },
    vaultId: { check: hex(16) },
    createdAt: { check: isoTime },
    recoveryMnemonic: {
      check: str({
        test: (s) =>
          s.split(" ").length === 24 && validateMnemonic(s, wordlist)
            ? undefined
            : "must be a valid 24-word BIP39 mnemonic",
      }),
    },
    signingKeySeed: { check: hex(32) },
    signingPublicKey: { check: hex(32) },
    threshold: { check: int(2, 255) },
    issuedShares: { check: arr(issuedShare, { max: 255 }) },
    ageIdentity: { check: ageIdentity },
    ageRecipient: { check: ageRecipient },
    dataKeyGeneration: { check: int(1, 1000000), optional: true },
    dataKeyCreatedAt: { check: isoTime, optional: true },
    retiredDataKeys: {
      check: arr(
        obj({
          generation: { check: int(1, 1000000) },
          identity: { check: ageIdentity },
          recipient: { check: ageRecipient },
          createdAt: { check: isoTime },
        }),
        { max: 10000 },
      ),
      optional: true,
    },
    recoveryCard: { check: nullable(str({ max: 1 << 20 })) },
    recoveryCardIssuedAt: { check: isoTime, optional: true },
    shareSet: {
      check: obj({
        setId: { check: hex(16) },
        polynomialSeed: { check: hex(32) },
        shareCount: { check: int(1, 255) },
        createdAt: { check: isoTime },
      }),
      optional: true,
    },
    retiredShares: { check: arr(issuedShare, { max: 100000 }), optional: true },
  }),
};

function oneOfNumber(values: readonly number[]): Validator {
  const inner = oneOf(values.map(String));
  // a number only: "1" (a string) must not pass as 1
  return (v, path, issues) => inner(typeof v === "number" ? String(v) : null, path, issues);
}

/** Checks across documents: k fits the capacity, the capacity fits the stewards. */
export function crossIssues(docs: Documents): { name: DocumentName; issue: Issue }[] {
  const out: { name: DocumentName; issue: Issue }[] = [];
  const capacity = docs.settings.shareCapacity;
  if (docs.stewards.stewards.length > capacity) {
    out.push({
      name: "settings",
      issue: {
        path: "$.shareCapacity",
        message: `must be at least the number of stewards (${docs.stewards.stewards.length})`,
      },
    });
  }
  if (docs.secrets.threshold > capacity) {
    out.push({
      name: "settings",
      issue: {
        path: "$.shareCapacity",
        message: `must be at least the number of stewards needed (${docs.secrets.threshold})`,
      },
    });
  }
  return out;
}

/** Validates a parsed value; an empty list means it is fine. Never throws. */
export function validateDocument(name: DocumentName, value: unknown): Issue[] {
  const issues: Issue[] = [];
  SCHEMAS[name](value, "$", issues);
  return issues;
}

/** One human-readable problem in a document's text. */
export interface DocumentProblem {
  /** The document's file name, e.g. `stewards.json`. */
  file: string;
  /** JSON path, or `$` for syntax errors. */
  path: string;
  /** Line and column when known. */
  position?: Position;
  /** What is wrong. */
  message: string;
}

/** `stewards.json:3:7: $.stewards[0].id: must be ...` */
export function formatProblem(p: DocumentProblem): string {
  const where = p.position === undefined ? "" : `:${p.position.line}:${p.position.column}`;
  return `${p.file}${where}: ${p.path}: ${p.message}`;
}

/** The result of checking a document's text: a value, or the problems. */
export type CheckResult<N extends DocumentName> =
  | {
    ok: true;
    value: Documents[N];
    /** Turns further issues of this text (JSON paths) into problems with line and column. */
    locate: (issues: readonly Issue[]) => DocumentProblem[];
  }
  | { ok: false; problems: DocumentProblem[] };

/** Parses and validates a document's text (`comments`: `//` line comments allowed); never throws. */
export function checkDocumentText<N extends DocumentName>(
  name: N,
  text: string,
  options: { comments?: boolean } = {},
): CheckResult<N> {
  const file = fileNameOf(name);
  let located;
  try {
    located = parseJsonLocated(text, options);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return {
      ok: false,
      problems: [{ file, path: "$", position: e.position, message: `invalid JSON: ${e.message}` }],
    };
  }
  const positions = located.positions;
  const locate = (issues: readonly Issue[]): DocumentProblem[] =>
    issues.map((i) => {
      const position = positions.get(i.path) ?? nearestPosition(positions, i.path);
      return position === undefined
        ? { file, path: i.path, message: i.message }
        : { file, path: i.path, position, message: i.message };
    });
  const issues = validateDocument(name, located.value);
  if (issues.length === 0) return { ok: true, value: located.value as Documents[N], locate };
  return { ok: false, problems: locate(issues) };
}

function nearestPosition(positions: Map<string, Position>, path: string): Position | undefined {
  let p = path;
  while (p.length > 1) {
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
    const found = positions.get(p);
    if (found !== undefined) return found;
  }
  return positions.get("$");
}

/** The error for invalid documents: the first problems in the message, all in the hint. */
export function documentError(problems: readonly DocumentProblem[]): ParaduxError {
  const lines = problems.map(formatProblem);
  return new ParaduxError("input", `invalid document: ${lines.join("; ")}`, {
    hint: "fix the document (paradux edit-NAME) and try again",
  });
}

/**
 * Parses and validates a document's text.
 * @throws ParaduxError `input` naming the file, JSON path, line and column.
 */
export function parseDocument<N extends DocumentName>(name: N, text: string): Documents[N] {
  const r = checkDocumentText(name, text);
  if (!r.ok) throw documentError(r.problems);
  return r.value;
}
