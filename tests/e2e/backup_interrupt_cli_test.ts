/**
 * e2e: Ctrl-C during `paradux backup` reports what finished, what was stopped and what never
 * started, stops the child that was working, and exits 130. The run has three destinations:
 * `a` (file, finishes), `b` (s3 at a TCP listener of this test that accepts and never answers,
 * so rclone hangs in the TLS handshake) and `c` (file, never started). SIGINT goes to the
 * Paradux process alone (as `kill -INT` would, not the terminal's process group) when the
 * listener sees rclone connect; the listener then sees the connection closed, i.e. rclone is
 * gone. Nothing here waits for time.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCliChild } from "./cli.ts";

Deno.test("e2e backup: Ctrl-C reports finished and stopped destinations and stops the child", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-e2e-interrupt-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const src = join(root, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "hello\n");
    const job = {
      format: "paradux-job-v1",
      dataset: {
        name: "bench",
        source: { url: `file://${src}` },
        localCopy: join(root, "copy"),
        destinations: [
          { name: "a", url: `file://${root}/a`, frequency: "daily" },
          {
            name: "b",
            url: "s3://paradux-test/x",
            frequency: "daily",
            credentials: {
              accessKeyId: "k",
              secretAccessKey: "s",
              endpoint: `https://127.0.0.1:${port}`,
            },
          },
          { name: "c", url: `file://${root}/c`, frequency: "daily" },
        ],
      },
      encryption: { recipient: "age1" + "q".repeat(58), keyGeneration: 1 },
    };
    const jobFile = join(root, "job.json");
    await Deno.writeTextFile(jobFile, JSON.stringify(job), { mode: 0o600 });
    const child = runCliChild(
      ["--vault", join(root, "home"), "backup", "--job", jobFile, "--force"],
    );
    const output = child.output();
    const conn = await listener.accept();
    child.kill("SIGINT");
    const out = await output;
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    const all = stdout + stderr;
    assert.equal(out.code, 130, all);
    assert.match(stdout, /^ok {7}bench\/a /m, all);
    assert.match(stdout, /^INTERRUPTED bench\/b .*stopped during the push/m, all);
    assert.match(stdout, /^INTERRUPTED bench\/c .*: not started$/m, all);
    assert.match(stderr, /interrupted: 1 destination finished, 1 stopped, 1 not started/, all);
    assert.match(stderr, /run 'paradux backup' again/, all);
    // rclone is gone: its end of the connection is closed (EOF or reset), not left hanging.
    const buf = new Uint8Array(4096);
    let closed = false;
    try {
      while (!closed) closed = (await conn.read(buf)) === null;
    } catch {
      closed = true;
    }
    assert.ok(closed);
    conn.close();
    // The finished destination has its snapshot; the one never started has nothing.
    assert.ok((await Array.fromAsync(Deno.readDir(join(root, "a")))).length > 0);
    await assert.rejects(Deno.stat(join(root, "c")), Deno.errors.NotFound);
  } finally {
    listener.close();
    await Deno.remove(root, { recursive: true });
  }
});
