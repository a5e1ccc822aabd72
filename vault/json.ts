/**
 * A strict JSON parser (RFC 8259) that says where things are: syntax errors carry a line and a
 * column, and every value's JSON path (`$.stewards[1].email`) is mapped to its position, so
 * schema errors in a hand-edited document can point at the line too. Duplicate keys are errors
 * (JSON.parse would silently keep the last one, losing what the user typed first).
 * @module
 */

/** A position in the text: 1-based line and column. */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column (in UTF-16 code units). */
  column: number;
}

/** A JSON syntax error with its position. */
export class JsonSyntaxError extends Error {
  /** Where the error is. */
  readonly position: Position;
  constructor(message: string, position: Position) {
    super(message);
    this.name = "JsonSyntaxError";
    this.position = position;
  }
}

/** A parsed document: the value and where each JSON path starts. */
export interface Located {
  /** The parsed value (plain objects with a null-free prototype chain like JSON.parse). */
  value: unknown;
  /** JSON path -> position of the value (objects' members map to the value, not the key). */
  positions: Map<string, Position>;
}

/** The 1-based line and column of a UTF-16 offset in `text`. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** `$.a.b`, or `$["odd key"]` when the key is not an identifier. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

const MAX_DEPTH = 64;

class Parser {
  pos = 0;
  readonly positions = new Map<string, Position>();
  constructor(readonly text: string, readonly comments = false) {}

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(message, positionOf(this.text, at));
  }

  describe(at = this.pos): string {
    if (at >= this.text.length) return "end of input";
    return `'${this.text[at]}'`;
  }

  ws(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else if (this.comments && this.text.startsWith("//", this.pos)) {
        const end = this.text.indexOf("\n", this.pos);
        this.pos = end === -1 ? this.text.length : end + 1;
      } else break;
    }
  }

  value(path: string, depth: number): unknown {
    this.ws();
    if (depth > MAX_DEPTH) this.fail("too deeply nested");
    this.positions.set(path, positionOf(this.text, this.pos));
    const c = this.text[this.pos];
    if (c === "{") return this.object(path, depth);
    if (c === "[") return this.array(path, depth);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    if (c === "'") this.fail("strings must use double quotes");
    return this.fail(`expected a value, found ${this.describe()}`);
  }

  object(path: string, depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    while (true) {
      this.ws();
      if (this.text[this.pos] !== '"') {
        this.fail(
          this.text[this.pos] === "}"
            ? "trailing comma before '}'"
            : `expected a double-quoted property name, found ${this.describe()}`,
        );
      }
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key "${key}"`, keyAt);
      seen.add(key);
      this.ws();
      if (this.text[this.pos] !== ":") this.fail(`expected ':' after "${key}"`);
      this.pos++;
      const v = this.value(childPath(path, key), depth + 1);
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "}") {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or '}' after a property, found ${this.describe()}`);
    }
  }

  array(path: string, depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    while (true) {
      this.ws();
      if (this.text[this.pos] === "]") this.fail("trailing comma before ']'");
      out.push(this.value(childPath(path, out.length), depth + 1));
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "]") {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or ']' after an array element, found ${this.describe()}`);
    }
  }

  string(): string {
    const start = this.pos;
    this.pos++;
    let out = "";
    while (true) {
      if (this.pos >= this.text.length) this.fail("unterminated string", start);
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail("control character in string (use \\n for a new line)");
      if (c !== 0x5c) {
        out += this.text[this.pos];
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.pos += 2;
      } else if (
        e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))
      ) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.fail("bad escape in string");
      }
    }
  }

  number(): number {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (m === null) return this.fail("bad number");
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/**
 * Parses `text` as one JSON value and records where each path is. With `comments`, a line
 * comment (`//` to the end of the line, outside strings) counts as white space: that is how
 * the editor's templates explain a document (the saved document is plain JSON).
 * @throws JsonSyntaxError with the line and column of the first problem.
 */
export function parseJsonLocated(text: string, options: { comments?: boolean } = {}): Located {
  const p = new Parser(
    text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
    options.comments === true,
  );
  const value = p.value("$", 0);
  p.ws();
  if (p.pos < p.text.length) p.fail(`unexpected ${p.describe()} after the JSON value`);
  return { value, positions: p.positions };
}
