import assert from "node:assert/strict";
import {
  argumentKey,
  commandNameOf,
  defaultHome,
  EXIT_CODES,
  exitCodesHelp,
  main,
} from "../../../main.ts";
import { recordingIo } from "../../../commands/_io.ts";
import { ParaduxError } from "../../../errors.ts";
import { reportError } from "../../../main.ts";

Deno.test("argumentKey turns commander argument syntax into option keys", () => {
  const table: [string, string][] = [
    ["<file>", "file"],
    ["[dataset]", "dataset"],
    ["<inputs...>", "inputs"],
    ["[out-dir]", "outDir"],
  ];
  for (const [syntax, key] of table) assert.equal(argumentKey(syntax), key, syntax);
});

Deno.test("defaultHome: PARADUX_HOME, then root's /var/lib/paradux, then ~/.paradux", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assert.equal(defaultHome(env({ PARADUX_HOME: "/x", HOME: "/h" }), 0), "/x");
  assert.equal(defaultHome(env({ HOME: "/h" }), 0), "/var/lib/paradux");
  assert.equal(defaultHome(env({ HOME: "/h" }), 1000), "/h/.paradux");
  assert.equal(defaultHome(env({ PARADUX_HOME: "", HOME: "/h" }), 1000), "/h/.paradux");
});

Deno.test("every error kind has its own exit code", () => {
  const codes = Object.values(EXIT_CODES);
  assert.equal(new Set(codes).size, codes.length);
});

Deno.test("--help's exit-code line lists every code once, in order", () => {
  const help = exitCodesHelp();
  const listed = [...help.matchAll(/(\d+) [a-z]/g)].map((m) => Number(m[1]));
  assert.deepEqual(listed, Object.values(EXIT_CODES).sort((a, b) => a - b));
  assert.ok(help.split("\n").every((l) => l.length <= 95), help);
  assert.match(help, /^Exit codes: 0 ok, 1 partly failed, 2 usage,/);
  assert.match(help, /12 another backup or set, 70 bug, 130 interrupted\.$/);
});

Deno.test("the README's exit-code table lists exactly the codes of EXIT_CODES", async () => {
  const readme = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));
  const table = readme.slice(readme.indexOf("### Exit codes"));
  const documented = [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
  const codes = Object.values(EXIT_CODES).sort((a, b) => a - b);
  assert.deepEqual(documented, codes);
});

Deno.test("reportError: user error is message + hint, bug is a stack trace with 70", () => {
  const io = recordingIo();
  const code = reportError(
    new ParaduxError("auth", "wrong passphrase", { hint: "try again" }),
    io,
    false,
  );
  assert.equal(code, 4);
  assert.deepEqual(io.stderr, ["paradux: wrong passphrase", "hint: try again"]);
  const io2 = recordingIo();
  assert.equal(reportError(new TypeError("boom"), io2, false), 70);
  assert.match(io2.stderr.join("\n"), /internal error[\s\S]*TypeError: boom/);
});

Deno.test("main: unknown option is a usage error", async () => {
  const io = recordingIo();
  assert.equal(await main(["doctor", "--bogus"], io), 2);
  assert.match(io.stderr.join("\n"), /unknown option '--bogus'/);
});

Deno.test("commandNameOf finds the command past the global options, or gives up", () => {
  const known = (n: string) => ["backup", "paper backup", "status"].includes(n);
  assert.equal(commandNameOf(["backup", "--job", "f"], known), "backup");
  assert.equal(commandNameOf(["--vault", "backup", "-v", "backup"], known), "backup");
  assert.equal(commandNameOf(["--vault=/h", "paper", "backup", "x"], known), "paper backup");
  assert.equal(commandNameOf(["status", "datasets"], known), "status");
  assert.equal(commandNameOf(["--help"], known), undefined);
  assert.equal(commandNameOf(["--json", "backup"], known), undefined);
  assert.equal(commandNameOf(["bakup"], known), undefined);
  assert.equal(commandNameOf([], known), undefined);
});
