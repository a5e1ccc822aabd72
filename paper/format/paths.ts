/**
 * Manifest path rules (format.md section 16): NFC, relative, no drive letter, no empty, "." or
 * ".." segments, at most 512 UTF-8 bytes.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { MAX_PATH_BYTES } from "./limits.ts";

/** The path in NFC (the basis of comparisons and ordering). */
export function normalizePath(path: string): string {
  return path.normalize("NFC");
}

/** Why a path breaks the rules, or null when it is fine. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return "is empty";
  if (!path.isWellFormed()) return "is not valid unicode";
  if (path.includes("\0")) return "contains a nul character";
  if (path.startsWith("/")) return "is absolute";
  if (/^[A-Za-z]:/.test(path)) return "starts with a drive letter";
  const segments = path.split("/");
  if (segments.some((s) => s === "")) return "has an empty segment";
  if (segments.some((s) => s === "." || s === "..")) return "has a . or .. segment";
  if (new TextEncoder().encode(path).length > MAX_PATH_BYTES) {
    return `is longer than ${MAX_PATH_BYTES} bytes`;
  }
  return null;
}

/** Throws an "input" error when the path breaks the rules. */
export function checkPath(path: string, where: string): void {
  const problem = pathProblem(path);
  if (problem) throw new ParaduxError("input", `${where}: path ${JSON.stringify(path)} ${problem}`);
}

/** Compares two strings by Unicode code points (not UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}
