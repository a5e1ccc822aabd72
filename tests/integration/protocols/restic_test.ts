/**
 * The `restic` protocol against four real repositories: a local directory, sftp through a
 * test sshd (pinned host key, key file), S3 on s3rver over TLS (test CA via `--cacert`), and
 * REST on `rclone serve restic` over TLS with basic auth (password via the repository file).
 * Plus: the repository is readable by plain restic with the same password, and uploaded
 * single files are not dataset snapshots.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileTag, parseResticUrl, PROBE_SECONDS, protocol } from "../../../protocols/restic.ts";
import type { Location } from "../../../protocols/protocol.ts";
import { type RestServer, startRestServer } from "../../helpers/servers/rest.ts";
import { type S3Server, startS3rver } from "../../helpers/servers/s3rver.ts";
import { type Sshd, startSshd } from "../../helpers/servers/sshd.ts";
import { runConformance } from "./conformance.ts";

const BUCKET = "paradux-restic";
const PASSWORD = "correct horse battery staple";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** An sftp location on a closed port: ssh fails at once. */
function unreachable(): Location {
  return {
    url: `restic:sftp://root@127.0.0.1:${freePort()}//tmp/paradux-nowhere`,
    credentials: {
      password: PASSWORD,
      sshKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    },
  };
}

const invalid: Location[] = [
  { url: "restic:/tmp/x" },
  { url: "restic:relative/path", credentials: { password: "p" } },
  { url: "restic:/", credentials: { password: "p" } },
  { url: "restic:sftp:u@h:/x", credentials: { password: "p" } },
  { url: "restic:s3:https://h/bucket/x", credentials: { password: "p", accessKeyId: "a" } },
  { url: "restic:rest:https://u:secret@h/x", credentials: { password: "p" } },
  { url: "restic:/tmp/x", credentials: { password: "p", accessKeyId: "a" } },
  { url: "restic:ftp://h/x", credentials: { password: "p" } },
];

function localTarget() {
  return async () => {
    const base = await Deno.makeTempDir({ prefix: "paradux-restic-local-" });
    return {
      location: { url: `restic:${join(base, "repo dir")}`, credentials: { password: PASSWORD } },
      cleanup: () => Deno.remove(base, { recursive: true }),
    };
  };
}

runConformance("restic (local)", localTarget(), { protocol, unreachable, invalid });

let sshd: Sshd | undefined;
runConformance("restic (sftp via sshd)", async () => {
  const s = sshd!;
  const base = await Deno.makeTempDir({ prefix: "paradux-restic-sftp-" });
  return {
    location: {
      url: `restic:sftp://${s.user}@127.0.0.1:${s.port}/${join(base, "repo")}`,
      credentials: { password: PASSWORD, sshKey: s.privateKey, hostKey: s.hostPublicKey },
    },
    cleanup: () => Deno.remove(base, { recursive: true }),
  };
}, {
  protocol,
  setup: async () => {
    sshd = await startSshd();
    return () => sshd!.stop();
  },
  unreachable,
  invalid,
});

let s3: S3Server | undefined;
runConformance("restic (s3 on s3rver over TLS)", () => {
  const s = s3!;
  const prefix = `run-${crypto.randomUUID()}`;
  return Promise.resolve({
    location: {
      url: `restic:s3:${s.endpoint}/${BUCKET}/${prefix}`,
      credentials: {
        password: PASSWORD,
        accessKeyId: s.accessKeyId,
        secretAccessKey: s.secretAccessKey,
        caCert: s.caCert,
      },
    },
    cleanup: () =>
      Deno.remove(join(s.dir, "data", BUCKET, prefix), { recursive: true }).catch(() => {}),
  });
}, {
  protocol,
  setup: async () => {
    s3 = await startS3rver([BUCKET]);
    return () => s3!.stop();
  },
  unreachable,
  invalid,
});

let rest: RestServer | undefined;
runConformance("restic (rest: rclone serve restic over TLS)", () => {
  const s = rest!;
  const name = `run-${crypto.randomUUID()}`;
  return Promise.resolve({
    location: {
      url: `restic:rest:${s.baseUrl}/${name}`,
      credentials: { password: PASSWORD, restPassword: s.password, caCert: s.caCert },
    },
    cleanup: () => Deno.remove(join(s.dir, name), { recursive: true }).catch(() => {}),
  });
}, {
  protocol,
  setup: async () => {
    rest = await startRestServer();
    return () => rest!.stop();
  },
  unreachable,
  invalid,
});

Deno.test("restic: plain restic reads the repository; files are not snapshots", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-restic-plain-" });
  try {
    const repo = join(base, "repo");
    const src = join(base, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "hello\n");
    const location = { url: `restic:${repo}`, credentials: { password: PASSWORD } };
    const seen: number[] = [];
    const ctx = { privateDir: base, now: new Date() };
    const r = await protocol.push(src, location, { ...ctx, progress: (p) => seen.push(p.bytes) });
    assert.ok(seen.length > 0, "backup reported progress");
    assert.match(r.snapshot.id, /^[0-9a-f]{8}$/);
    const file = join(base, "export.bin");
    await Deno.writeTextFile(file, "export\n");
    await protocol.upload(location, file, "vault.luks", ctx);
    await protocol.upload(location, file, "vault.luks", ctx);

    const env = { RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: repo };
    const out = await new Deno.Command("restic", {
      args: ["--no-cache", "snapshots", "--json"],
      env,
      stdout: "piped",
    }).output();
    assert.ok(out.success);
    const all = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      id: string;
      tags: string[];
    }[];
    assert.equal(all.length, 2, "one data snapshot and ONE version of the file");
    assert.deepEqual(all.map((s) => s.tags).sort(), [["paradux"], [fileTag("vault.luks")]].sort());
    const target = join(base, "plain-restore");
    const restore = await new Deno.Command("restic", {
      args: ["--no-cache", "restore", r.snapshot.id, "--target", target],
      env,
      stdout: "null",
    }).output();
    assert.ok(restore.success);
    assert.equal(await Deno.readTextFile(join(target, "a.txt")), "hello\n");
    // The full id works too.
    const full = all.find((s) => s.tags.includes("paradux"))!.id;
    assert.ok(full.startsWith(r.snapshot.id));
    const short = join(base, "short");
    await protocol.restore(location, short, ctx, full);
    assert.equal(await Deno.readTextFile(join(short, "a.txt")), "hello\n");
    // A wrong password is an auth error.
    await assert.rejects(
      () => protocol.snapshots({ ...location, credentials: { password: "wrong" } }, ctx),
      (e) => e instanceof Error && "kind" in e && e.kind === "auth",
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("restic: an s3 server that is down or never answers fails with tool-failed", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-restic-down-" });
  // A listener that accepts connections and never says anything (a hung server).
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of silent) held.push(conn);
    } catch {
      // closed
    }
  })();
  const at = (port: number) => ({
    url: `restic:s3:https://127.0.0.1:${port}/${BUCKET}/x`,
    credentials: { password: PASSWORD, accessKeyId: "a", secretAccessKey: "b" },
  });
  const ctx = { privateDir: base, now: new Date() };
  try {
    await assert.rejects(
      () => protocol.snapshots(at(freePort()), ctx),
      (e) => e instanceof Error && "kind" in e && e.kind === "tool-failed",
      "connection refused",
    );
    const started = Date.now();
    await assert.rejects(
      () => protocol.snapshots(at((silent.addr as Deno.NetAddr).port), ctx),
      (e) =>
        e instanceof Error && "kind" in e && e.kind === "tool-failed" &&
        /no answer within/.test(e.message),
      "silent server",
    );
    const ms = Date.now() - started;
    assert.ok(ms < (PROBE_SECONDS + 10) * 1000, `took ${ms} ms`);
  } finally {
    silent.close();
    for (const c of held) c.close();
    await accepting;
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("restic: URL forms", () => {
  assert.deepEqual(parseResticUrl("restic:/srv/r"), { kind: "local", repository: "/srv/r" });
  assert.deepEqual(parseResticUrl("restic:sftp:bob@host.example:/srv/r"), {
    kind: "sftp",
    repository: "sftp:bob@host.example:/srv/r",
    user: "bob",
    host: "host.example",
    port: 22,
  });
  assert.deepEqual(parseResticUrl("restic:sftp://bob@[::1]:2222//srv/r"), {
    kind: "sftp",
    repository: "sftp://bob@[::1]:2222//srv/r",
    user: "bob",
    host: "::1",
    port: 2222,
  });
  assert.equal(parseResticUrl("restic:s3:https://127.0.0.1:9000/bucket/p").kind, "s3");
  assert.equal(parseResticUrl("restic:rest:https://u@h:8000/r").kind, "rest");
  assert.throws(() => parseResticUrl("restic:s3:https://key:secret@h/bucket"));
});
