/**
 * The `ftp` protocol against a pyftpdlib server on 127.0.0.1 (started by the suite), plus the
 * password never reaching rclone's argv (only its obscured form, in a 0600 config file).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { protocol } from "../../../protocols/ftp.ts";
import { obscure } from "../../../system/rclone.ts";
import { type FtpServer, startFtp } from "../../helpers/servers/ftp.ts";
import { runConformance } from "./conformance.ts";
import { runChainConformance } from "./chain.ts";

let server: FtpServer | undefined;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

runConformance("ftp (pyftpdlib)", () => {
  const s = server!;
  const dir = `run-${crypto.randomUUID()}`;
  return Promise.resolve({
    location: {
      url: `ftp://${s.user}@127.0.0.1:${s.port}/${dir}/backups%20of%20home`,
      credentials: { password: s.password },
    },
    cleanup: () => Deno.remove(join(s.root, dir), { recursive: true }).catch(() => {}),
  });
}, {
  protocol,
  setup: async () => {
    server = await startFtp();
    return () => server!.stop();
  },
  unreachable: () => ({
    url: `ftp://paradux@127.0.0.1:${freePort()}/x`,
    credentials: { password: "whatever" },
  }),
  invalid: [
    { url: "ftp://user@host/x" },
    { url: "ftp://user:secret@host/x", credentials: { password: "secret" } },
    { url: "ftp://host/x", credentials: { password: "p" } },
    { url: "ftp://user@host/../x", credentials: { password: "p" } },
    { url: "ftp://user@host/x", credentials: { password: "p", accessKeyId: "a" } },
    { url: "s3://bucket/x", credentials: { password: "p" } },
  ],
  sparseBytes: 4 * 1024 * 1024,
  checkSparse: true,
});

Deno.test("ftp: a wrong password fails with tool-failed, not a hang", async () => {
  const s = await startFtp();
  const priv = await Deno.makeTempDir();
  try {
    const location = {
      url: `ftp://${s.user}@127.0.0.1:${s.port}/x`,
      credentials: { password: "wrong" },
    };
    await assert.rejects(
      () => protocol.snapshots(location, { privateDir: priv, now: new Date() }),
      (e) => e instanceof Error && "kind" in e && e.kind === "tool-failed",
    );
  } finally {
    await Deno.remove(priv, { recursive: true });
    await s.stop();
  }
});

Deno.test("ftp: obscure turns a password into rclone's reversible form", async () => {
  const a = await obscure("pässword with spaces");
  const b = await obscure("pässword with spaces");
  assert.match(a, /^[A-Za-z0-9_-]+$/);
  assert.notEqual(a, "pässword with spaces");
  assert.notEqual(a, b, "obscure uses a random IV");
  const revealed = await new Deno.Command("rclone", {
    args: ["reveal", a],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(revealed.stdout).trim(), "pässword with spaces");
});

runChainConformance("ftp (pyftpdlib)", {
  push: (dir, location, ctx, options) => protocol.push(dir, location, ctx, options),
  restore: (location, dir, ctx, id) => protocol.restore(location, dir, ctx, id),
  snapshots: (location, ctx) => protocol.snapshots(location, ctx),
  check: (location, ctx) => protocol.check!(location, ctx),
  upload: (location, file, name, ctx) => protocol.upload(location, file, name, ctx),
  download: (location, name, file, ctx) => protocol.download(location, name, file, ctx),
  childKind: "ftp",
}, {
  setup: async () => {
    const s = await startFtp();
    return {
      location: () => ({
        url: `ftp://${s.user}@127.0.0.1:${s.port}/chain-${crypto.randomUUID()}`,
        credentials: { password: s.password },
      }),
      stop: () => s.stop(),
    };
  },
});
