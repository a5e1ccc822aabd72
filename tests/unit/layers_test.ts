/**
 * Imports point down only: each top-level folder of the program is a layer, and a module may
 * import its own layer or one below it, never one above. The order is the README's layer list.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Top layer first; `main.ts` and `errors.ts` are files, the rest folders. */
const LAYERS = [
  "main.ts",
  "commands",
  "kit",
  "drill",
  "recovery",
  "stewards",
  "datasets",
  "vault",
  "protocols",
  "paper",
  "system",
  "crypto",
  "errors.ts",
];

/** A module's path (from the root) and the relative specifiers it imports. */
interface Module {
  path: string;
  imports: string[];
}

/** One import that points up: who imports what. */
interface Violation {
  from: string;
  to: string;
}

const IMPORT = /(?:from|import)\s*\(?\s*"(\.\.?\/[^"]+)"/g;

function specifiers(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1]!);
}

function layerOf(path: string): number {
  return LAYERS.indexOf(path.split("/")[0]!);
}

/** The imports among `modules` that go to a higher layer (unknown targets are ignored). */
function violations(modules: Module[]): Violation[] {
  const out: Violation[] = [];
  for (const m of modules) {
    const own = layerOf(m.path);
    for (const spec of m.imports) {
      const to = normalize(join(dirname(m.path), spec));
      const target = layerOf(to);
      if (target >= 0 && target < own) out.push({ from: m.path, to });
    }
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...await walk(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

async function programModules(): Promise<Module[]> {
  const out: Module[] = [];
  for (const layer of LAYERS) {
    const at = join(ROOT, layer);
    const files = layer.endsWith(".ts") ? [at] : await walk(at);
    for (const f of files) {
      out.push({ path: relative(ROOT, f), imports: specifiers(await Deno.readTextFile(f)) });
    }
  }
  return out;
}

Deno.test("layers: an upward import is found, with both ends named", () => {
  const found = violations([
    { path: "vault/vault.ts", imports: ["./documents.ts", "../stewards/recovery_card.ts"] },
    { path: "stewards/shares.ts", imports: ["../vault/documents.ts", "../crypto/shamir128.ts"] },
    { path: "paper/pdf.ts", imports: ["../system/exec.ts"] },
    { path: "system/exec.ts", imports: ["../paper/pdf.ts"] },
  ]);
  assert.deepEqual(found, [
    { from: "vault/vault.ts", to: "stewards/recovery_card.ts" },
    { from: "system/exec.ts", to: "paper/pdf.ts" },
  ]);
});

Deno.test("layers: the import parser sees static, dynamic and re-export imports", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b/b.ts";',
    'export { c } from "./c.ts";',
    'const d = await import("../d/d.ts");',
    'import e from "node:path";',
  ].join("\n");
  assert.deepEqual(specifiers(text), ["./a.ts", "../b/b.ts", "./c.ts", "../d/d.ts"]);
});

Deno.test("layers: every import of the program points to its own layer or one below", async () => {
  const modules = await programModules();
  assert.ok(modules.length > 100, `only ${modules.length} modules found under ${ROOT}`);
  const found = violations(modules).map((v) => `${v.from} imports ${v.to}`);
  assert.deepEqual(found, [], "imports that point up:\n" + found.join("\n"));
});
