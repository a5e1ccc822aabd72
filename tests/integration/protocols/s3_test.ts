/**
 * The `s3` protocol against npm s3rver over TLS on 127.0.0.1 (started by the suite), plus
 * checks of the stored layout: one tar per snapshot readable by plain tar, the completion
 * marker, and an unfinished snapshot being ignored.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { protocol } from "../../../protocols/s3.ts";
import type { Location } from "../../../protocols/protocol.ts";
import { makeUnusualTree } from "../../helpers/tree.ts";
import { type S3Server, startS3rver } from "../../helpers/servers/s3rver.ts";
import { runConformance } from "./conformance.ts";
import { runChainConformance } from "./chain.ts";

const BUCKET = "paradux-test";
let server: S3Server | undefined;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function credentials(s: S3Server): Record<string, string> {
  return {
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    endpoint: s.endpoint,
    caCert: s.caCert,
  };
}

function newLocation(s: S3Server): { location: Location; prefix: string } {
  const prefix = `run-${crypto.randomUUID()}`;
  return {
    prefix,
    location: { url: `s3://${BUCKET}/${prefix}/dest%20dir`, credentials: credentials(s) },
  };
}

runConformance("s3 (s3rver over TLS)", () => {
  const s = server!;
  const { location, prefix } = newLocation(s);
  return Promise.resolve({
    location,
    cleanup: () =>
      Deno.remove(join(s.dir, "data", BUCKET, prefix), { recursive: true })
        .catch(() => {}),
  });
}, {
  protocol,
  setup: async () => {
    server = await startS3rver([BUCKET]);
    return () => server!.stop();
  },
  unreachable: () => ({
    url: `s3://${BUCKET}/x`,
    credentials: { ...credentials(server!), endpoint: `https://127.0.0.1:${freePort()}` },
  }),
  invalid: [
    { url: "s3://Bad_Bucket/x", credentials: { accessKeyId: "a", secretAccessKey: "b" } },
    { url: "s3://bucket/x" },
    { url: "s3://bucket/x", credentials: { accessKeyId: "a" } },
    { url: "s3://bucket/../x", credentials: { accessKeyId: "a", secretAccessKey: "b" } },
    {
      url: "s3://bucket/x",
      credentials: { accessKeyId: "a", secretAccessKey: "b", endpoint: "not a url" },
    },
    { url: "s3://bucket/x", credentials: { accessKeyId: "a", secretAccessKey: "b", sshKey: "k" } },
    { url: "ftp://u@h/x", credentials: { accessKeyId: "a", secretAccessKey: "b" } },
  ],
  sparseBytes: 4 * 1024 * 1024,
  checkSparse: true,
});

Deno.test("s3: a snapshot is one plain tar plus a marker; unfinished ones are ignored", async () => {
  const s = await startS3rver([BUCKET]);
  const work = await Deno.makeTempDir({ prefix: "paradux-s3-layout-" });
  // rclone 1.60 refuses an s3 remote while AWS_CA_BUNDLE is set; the protocol must drop it.
  const bundle = Deno.env.get("AWS_CA_BUNDLE");
  Deno.env.set("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt");
  try {
    const { location, prefix } = newLocation(s);
    const src = join(work, "src");
    await Deno.mkdir(src);
    await makeUnusualTree(src);
    const ctx = { privateDir: work, now: new Date("2026-01-02T03:04:05Z") };
    const r = await protocol.push(src, location, ctx);
    assert.equal(r.snapshot.id, "20260102T030405Z");
    assert.equal(r.snapshot.time, "2026-01-02T03:04:05Z");
    const onDisk = join(s.dir, "data", BUCKET, prefix, "dest dir", r.snapshot.id);
    const names = [...Deno.readDirSync(onDisk)].map((e) => e.name).sort();
    assert.deepEqual(names.filter((n) => !n.includes("._S3rver_")), []);
    const tarFile = names.find((n) =>
      n.startsWith("data.tar._S3rver_object") && !n.endsWith("md5")
    );
    assert.ok(tarFile !== undefined, `no data.tar object in ${names}`);
    const list = await new Deno.Command("tar", { args: ["-tf", join(onDisk, tarFile)] }).output();
    assert.ok(list.success);
    assert.match(new TextDecoder().decode(list.stdout), /\.\/script\.sh/);
    const marker = names.find((n) =>
      n.startsWith(".complete._S3rver_object") && !n.endsWith("md5")
    );
    assert.ok(marker !== undefined);
    const info = JSON.parse(await Deno.readTextFile(join(onDisk, marker)));
    assert.equal(info.format, "paradux-tar-v2");
    assert.equal(info.level, 0);
    assert.deepEqual(info.chain, [r.snapshot.id]);
    assert.equal(info.snapshot, r.snapshot.id);

    // Remove the marker: the snapshot no longer counts.
    for (const n of names.filter((n) => n.startsWith(".complete."))) {
      await Deno.remove(join(onDisk, n));
    }
    assert.deepEqual(await protocol.snapshots(location, ctx), []);
    // A later push with keep removes the unfinished directory.
    const r2 = await protocol.push(src, location, { ...ctx, now: new Date() }, { keep: 1 });
    assert.deepEqual((await protocol.snapshots(location, ctx)).map((x) => x.id), [r2.snapshot.id]);
    assert.deepEqual(await protocol.listDirs!(location, ctx), [r2.snapshot.id]);
  } finally {
    if (bundle === undefined) Deno.env.delete("AWS_CA_BUNDLE");
    else Deno.env.set("AWS_CA_BUNDLE", bundle);
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await s.stop();
  }
});

Deno.test("s3: an interrupted push leaves no snapshot", async () => {
  const s = await startS3rver([BUCKET]);
  const work = await Deno.makeTempDir({ prefix: "paradux-s3-abort-" });
  try {
    const { location } = newLocation(s);
    const src = join(work, "src");
    await Deno.mkdir(src);
    const big = await Deno.open(join(src, "big.bin"), { write: true, create: true });
    const block = new Uint8Array(1 << 20).fill(7);
    for (let i = 0; i < 64; i++) await big.write(block);
    big.close();
    const controller = new AbortController();
    const reports: number[] = [];
    const ctx = {
      privateDir: work,
      now: new Date(),
      signal: controller.signal,
      progress: (p: { bytes: number }) => {
        reports.push(p.bytes);
        if (p.bytes >= 4 << 20) controller.abort();
      },
    };
    await assert.rejects(
      () => protocol.push(src, location, ctx),
      (e) => e instanceof Error && "kind" in e && e.kind === "interrupted",
    );
    assert.ok(reports.length > 0, "progress was reported");
    const plain = { privateDir: work, now: new Date() };
    assert.deepEqual(await protocol.snapshots(location, plain), []);
    assert.deepEqual(await protocol.listDirs!(location, plain), [], "the partial upload is gone");
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await s.stop();
  }
});

runChainConformance("s3 (s3rver over TLS)", {
  push: (dir, location, ctx, options) => protocol.push(dir, location, ctx, options),
  restore: (location, dir, ctx, id) => protocol.restore(location, dir, ctx, id),
  snapshots: (location, ctx) => protocol.snapshots(location, ctx),
  check: (location, ctx) => protocol.check!(location, ctx),
  upload: (location, file, name, ctx) => protocol.upload(location, file, name, ctx),
  download: (location, name, file, ctx) => protocol.download(location, name, file, ctx),
  childKind: "s3",
}, {
  setup: async () => {
    const s = await startS3rver([BUCKET]);
    return { location: () => newLocation(s).location, stop: () => s.stop() };
  },
});
