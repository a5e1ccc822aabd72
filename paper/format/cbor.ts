/**
 * Canonical CBOR (RFC 8949 deterministic encoding) for manifests, AUTH and shard payloads, with
 * cborg. Decoding is strict: definite lengths only, no duplicate keys, no tags or undefined, and
 * the input must re-encode to exactly the same bytes. Floats survive the round trip as
 * `CborFloat` so that a float-valued field (Ethernity's `created`) re-encodes as a float.
 * @module
 */
import { decode, encode, rfc8949EncodeOptions, Token, Tokenizer, Type } from "cborg";
import { ParaduxError } from "../../errors.ts";
import { bytesEqual } from "../../crypto/hashes.ts";

/** A CBOR float kept apart from integers (a decoded major-type-7 number). */
export class CborFloat {
  /** Wraps the number. */
  constructor(readonly value: number) {}
}

/** A decoded CBOR value (maps decode as `Map`). */
export type CborValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | CborFloat
  | CborValue[]
  | Map<CborValue, CborValue>;

const encodeOptions = {
  ...rfc8949EncodeOptions,
  typeEncoders: {
    Object: (obj: unknown) => obj instanceof CborFloat ? [new Token(Type.float, obj.value)] : null,
  },
};

/** Canonical CBOR of a value (Maps and plain objects become maps with sorted keys). */
export function encodeCanonical(value: unknown): Uint8Array {
  return encode(value, encodeOptions);
}

class FloatKeepingTokenizer {
  readonly #inner: Tokenizer;
  constructor(data: Uint8Array, options: Record<string, unknown>) {
    this.#inner = new Tokenizer(data, options);
  }
  done(): boolean {
    return this.#inner.done();
  }
  pos(): number {
    return this.#inner.pos();
  }
  next(): Token {
    const t = this.#inner.next();
    if (t.type === Type.float) {
      const wrapped = new Token(Type.float, new CborFloat(t.value as number), t.encodedLength);
      return wrapped;
    }
    return t;
  }
}

/** Decodes canonical CBOR; anything else (or trailing bytes) is an "input" error naming `what`. */
export function decodeCanonical(bytes: Uint8Array, what: string): CborValue {
  let value: CborValue;
  try {
    const options = {
      strict: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowInfinity: true,
      allowNaN: true,
      rejectDuplicateMapKeys: true,
      useMaps: true,
      tags: [],
    };
    value = decode(bytes, {
      ...options,
      tokenizer: new FloatKeepingTokenizer(bytes, options),
    }) as CborValue;
  } catch (e) {
    if (e instanceof ParaduxError) throw e;
    throw new ParaduxError("input", `${what} is not valid cbor`, { cause: e });
  }
  let again: Uint8Array;
  try {
    again = encodeCanonical(value);
  } catch (e) {
    throw new ParaduxError("input", `${what} is not canonical cbor`, { cause: e });
  }
  if (!bytesEqual(again, bytes)) throw new ParaduxError("input", `${what} is not canonical cbor`);
  return value;
}

/** Decodes canonical CBOR that must be a map with text keys. */
export function decodeCanonicalMap(bytes: Uint8Array, what: string): Map<string, CborValue> {
  const v = decodeCanonical(bytes, what);
  if (!(v instanceof Map)) throw new ParaduxError("input", `${what} is not a cbor map`);
  for (const k of v.keys()) {
    if (typeof k !== "string") throw new ParaduxError("input", `${what} has a non-text key`);
  }
  return v as Map<string, CborValue>;
}

/** Field readers that throw "input" errors naming the payload and field. */
export class Fields {
  /** Wraps a decoded map. */
  constructor(readonly map: Map<string, CborValue>, readonly what: string) {}

  #bad(key: string, want: string): never {
    throw new ParaduxError("input", `${this.what} field ${key} must be ${want}`);
  }

  /** True when the key is present (even if null). */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** A required non-negative safe integer. */
  uint(key: string): number {
    const v = this.map.get(key);
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
    return this.#bad(key, "a non-negative integer");
  }

  /** A required byte string, optionally of an exact length. */
  bytes(key: string, length?: number): Uint8Array {
    const v = this.map.get(key);
    if (!(v instanceof Uint8Array)) return this.#bad(key, "bytes");
    if (length !== undefined && v.length !== length) return this.#bad(key, `${length} bytes`);
    return v;
  }

  /** A required text string. */
  text(key: string): string {
    const v = this.map.get(key);
    return typeof v === "string" ? v : this.#bad(key, "text");
  }

  /** A required boolean. */
  bool(key: string): boolean {
    const v = this.map.get(key);
    return typeof v === "boolean" ? v : this.#bad(key, "a boolean");
  }

  /** A required array. */
  array(key: string): CborValue[] {
    const v = this.map.get(key);
    return Array.isArray(v) ? v : this.#bad(key, "an array");
  }
}
