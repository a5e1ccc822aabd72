/**
 * Tiny hand-written validators for the vault's JSON documents (no schema library). A validator
 * walks a parsed value and appends issues, each naming the JSON path; it never throws, whatever
 * the value (tested with random JSON).
 * @module
 */
import { childPath } from "./json.ts";

/** One problem found in a document. */
export interface Issue {
  /** JSON path of the offending value, e.g. `$.stewards[1].email`. */
  path: string;
  /** What is wrong, lowercase, e.g. `must be a string`. */
  message: string;
}

/** Checks `value` at `path` and appends what is wrong to `issues`. */
export type Validator = (value: unknown, path: string, issues: Issue[]) => void;

/** A field of an object: its validator and whether it may be left out. */
export interface Field {
  /** Validator of the field's value. */
  check: Validator;
  /** True when the field may be absent. */
  optional?: boolean;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/** Options for {@link str}. */
export interface StrOptions {
  /** A pattern the string must match, with a description for the message. */
  pattern?: { re: RegExp; what: string };
  /** May the string be empty? (default false) */
  allowEmpty?: boolean;
  /** Extra check returning a message when wrong. */
  test?: (s: string) => string | undefined;
  /** Longest allowed length (default 4096). */
  max?: number;
}

/** A string. */
export function str(options: StrOptions = {}): Validator {
  return (v, path, issues) => {
    if (typeof v !== "string") {
      issues.push({ path, message: `must be a string, not ${typeName(v)}` });
      return;
    }
    if (v === "" && options.allowEmpty !== true) {
      issues.push({ path, message: "must not be empty" });
      return;
    }
    if (v.length > (options.max ?? 4096)) {
      issues.push({ path, message: `is too long (at most ${options.max ?? 4096} characters)` });
      return;
    }
    if (options.pattern !== undefined && !options.pattern.re.test(v)) {
      issues.push({ path, message: `must be ${options.pattern.what}` });
      return;
    }
    const extra = options.test?.(v);
    if (extra !== undefined) issues.push({ path, message: extra });
  };
}

/** One of a fixed set of strings. */
export function oneOf(values: readonly string[]): Validator {
  return (v, path, issues) => {
    if (typeof v !== "string" || !values.includes(v)) {
      issues.push({ path, message: `must be one of ${values.map((x) => `"${x}"`).join(", ")}` });
    }
  };
}

/** A boolean. */
export function bool(): Validator {
  return (v, path, issues) => {
    if (typeof v !== "boolean") {
      issues.push({ path, message: `must be true or false, not ${typeName(v)}` });
    }
  };
}

/** An integer within bounds. */
export function int(min: number, max: number): Validator {
  return (v, path, issues) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      issues.push({ path, message: `must be a whole number from ${min} to ${max}` });
    }
  };
}

/** Either null or what `inner` accepts. */
export function nullable(inner: Validator): Validator {
  return (v, path, issues) => {
    if (v !== null) inner(v, path, issues);
  };
}

/** An object with exactly these fields (unknown fields are errors: they are usually typos). */
export function obj(fields: Record<string, Field>): Validator {
  return (v, path, issues) => {
    if (!isObject(v)) {
      issues.push({ path, message: `must be an object, not ${typeName(v)}` });
      return;
    }
    for (const [key, field] of Object.entries(fields)) {
      if (!Object.hasOwn(v, key)) {
        if (field.optional !== true) issues.push({ path, message: `needs a field "${key}"` });
        continue;
      }
      field.check(v[key], childPath(path, key), issues);
    }
    const known = Object.keys(fields);
    for (const key of Object.keys(v)) {
      if (!known.includes(key)) {
        issues.push({
          path: childPath(path, key),
          message: `is not a known field (known: ${known.join(", ")})`,
        });
      }
    }
  };
}

/** An object whose values are all strings (credentials: user, password, token, key...). */
export function stringMap(): Validator {
  return (v, path, issues) => {
    if (!isObject(v)) {
      issues.push({ path, message: `must be an object of strings, not ${typeName(v)}` });
      return;
    }
    for (const [key, value] of Object.entries(v)) {
      if (typeof value !== "string") {
        issues.push({ path: childPath(path, key), message: "must be a string" });
      }
    }
  };
}

/** An array of items; `uniqueBy` names a string field that must differ between items. */
export function arr(item: Validator, options: { uniqueBy?: string; max?: number } = {}): Validator {
  return (v, path, issues) => {
    if (!Array.isArray(v)) {
      issues.push({ path, message: `must be an array, not ${typeName(v)}` });
      return;
    }
    if (v.length > (options.max ?? 1000)) {
      issues.push({ path, message: `has too many entries (at most ${options.max ?? 1000})` });
    }
    const seen = new Map<string, number>();
    v.forEach((element, i) => {
      const p = childPath(path, i);
      item(element, p, issues);
      if (options.uniqueBy === undefined || !isObject(element)) return;
      const key = element[options.uniqueBy];
      if (typeof key !== "string") return;
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: childPath(p, options.uniqueBy),
          message: `"${key}" is already used by ${childPath(path, first)}`,
        });
      } else {
        seen.set(key, i);
      }
    });
  };
}

/** A slug: lowercase letters, digits and single dashes, starting with a letter or digit. */
export const SLUG = {
  re: /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/,
  what: 'a short name of lowercase letters, digits and dashes (like "alice" or "photos-2024")',
};

/**
 * Syntax check of a location URL: a scheme, a colon, and no spaces or control characters.
 * Protocols check their own URL shapes (e.g. rclone's `remote:path`) in protocols/.
 */
export function urlProblem(s: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:./i.test(s)) return "must be a URL with a scheme, like file:///path";
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(s)) {
    return "must not contain spaces or control characters (write %20)";
  }
  return undefined;
}
