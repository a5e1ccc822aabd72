import assert from "node:assert/strict";
import { commandOptions, exec, lastLine, stdoutText } from "../../../system/exec.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("commandOptions: stdin piped only when given; clearEnv keeps PATH", () => {
  assert.equal(commandOptions(["a"], {}).stdin, "null");
  assert.equal(commandOptions(["a"], { stdin: "x" }).stdin, "piped");
  assert.equal(commandOptions(["a"], { inheritStdio: true }).stdout, "inherit");
  const env = commandOptions([], { clearEnv: true, env: { A: "1" } });
  assert.equal(env.clearEnv, true);
  assert.equal(env.env?.A, "1");
  assert.ok(env.env?.PATH !== undefined);
});

Deno.test("lastLine picks the last non-empty line", () => {
  assert.equal(lastLine("a\n\nb  \n\n"), "b");
  assert.equal(lastLine(""), "");
});

Deno.test("exec: stdin reaches the program, output is captured", async () => {
  const r = await exec("cat", [], { stdin: "secret\n" });
  assert.equal(stdoutText(r), "secret\n");
});

Deno.test("exec: a missing program is a missing-tool error naming the package", async () => {
  await assert.rejects(
    () => exec("cryptsetup", ["--version"], { env: { PATH: "/nonexistent" }, clearEnv: true }),
    (e) => isUserError(e, "missing-tool") || isUserError(e, "tool-failed") || e instanceof Error,
  );
  await assert.rejects(
    () => exec("paradux-no-such-tool", []),
    (e) =>
      isUserError(e, "missing-tool") && /paradux-no-such-tool is not installed/.test(e.message),
  );
});

Deno.test("exec: non-zero exit is tool-failed with the stderr's last line", async () => {
  await assert.rejects(
    () => exec("sh", ["-c", "echo first >&2; echo 'the reason' >&2; exit 3"]),
    (e) => isUserError(e, "tool-failed") && /exit 3\): the reason/.test(e.message),
  );
  const r = await exec("sh", ["-c", "exit 3"], { okCodes: [3] });
  assert.equal(r.code, 3);
});
