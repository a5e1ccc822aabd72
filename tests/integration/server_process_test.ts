import assert from "node:assert/strict";
import { startServerProcess } from "../helpers/servers/process.ts";

Deno.test("test servers: the announced port is read, stop is once; a silent server is an error", async () => {
  let cleaned = 0;
  const cleanup = () => {
    cleaned++;
    return Promise.resolve();
  };
  const base = { readyFrom: "stderr" as const, timeoutMs: 5000, cleanup, what: "sh" };
  const ready = (out: string) => {
    const m = /listening on (\d+)/.exec(out);
    return m === null ? undefined : Number(m[1]);
  };
  const s = await startServerProcess({
    ...base,
    program: "sh",
    args: ["-c", "echo starting >&2; echo 'listening on 4711' >&2; exec sleep 30"],
    ready,
  });
  assert.equal(s.port, 4711);
  assert.match(s.log(), /starting\nlistening on 4711/);
  await s.stop();
  await s.stop();
  assert.equal(cleaned, 1);

  await assert.rejects(
    startServerProcess({ ...base, program: "sh", args: ["-c", "echo no port here >&2"], ready }),
    /sh did not start: no port here/,
  );
  await assert.rejects(
    startServerProcess({
      ...base,
      timeoutMs: 300,
      program: "sh",
      args: ["-c", "exec sleep 30"],
      ready,
    }),
    /sh did not start/,
  );
  assert.equal(cleaned, 3);
});
