import assert from "node:assert/strict";
import { join } from "node:path";
import { protocol } from "../../../protocols/rsync_ssh.ts";
import { isUserError } from "../../../errors.ts";
import { type Sshd, startSshd } from "../../helpers/servers/sshd.ts";
import { runConformance } from "./conformance.ts";

let server: Sshd | undefined;

function sshd(): Sshd {
  if (server === undefined) throw new Error("sshd is not running");
  return server;
}

function urlFor(s: Sshd, path: string, port = s.port): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return `rsync+ssh://${s.user}@127.0.0.1:${port}${encoded}`;
}

function credentials(s: Sshd): Record<string, string> {
  return { sshKey: s.privateKey, hostKey: s.hostKeyLine };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", "--sparse=always", `${from}/.`, to] })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

runConformance("rsync+ssh", async () => {
  const s = sshd();
  const base = await Deno.makeTempDir({ prefix: "paradux-ssh-dest-" });
  const root = join(base, "it's a dir with spaces $HOME `x` ünï");
  return {
    location: { url: urlFor(s, root), credentials: credentials(s) },
    cleanup: () => Deno.remove(base, { recursive: true }),
  };
}, {
  protocol,
  setup: async () => {
    server = await startSshd();
    return async () => {
      await server?.stop();
      server = undefined;
    };
  },
  unreachable: () => ({
    url: urlFor(sshd(), "/tmp/x", freePort()),
    credentials: credentials(sshd()),
  }),
  invalid: [
    { url: "rsync+ssh://127.0.0.1/tmp/x" },
    { url: "rsync+ssh://127.0.0.1/tmp/x", credentials: { sshKey: "not a key", hostKey: "x" } },
    {
      url: "rsync+ssh://127.0.0.1/",
      credentials: {
        sshKey: "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n",
        hostKey: "ssh-ed25519 AAAA",
      },
    },
    {
      url: "rsync+ssh:///tmp/x",
      credentials: {
        sshKey: "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n",
        hostKey: "ssh-ed25519 AAAA",
      },
    },
    { url: "file:///tmp/x" },
  ],
  makeSource: async (tree) => {
    const s = sshd();
    const base = await Deno.makeTempDir({ prefix: "paradux-ssh-src-" });
    const root = join(base, "source 'quoted' dir");
    await Deno.mkdir(root);
    await copyTree(tree, root);
    return {
      location: { url: urlFor(s, root), credentials: credentials(s) },
      cleanup: () => Deno.remove(base, { recursive: true }),
    };
  },
  checkSparse: true,
});

Deno.test("rsync+ssh: a server with another host key is refused", async () => {
  const s = await startSshd();
  const other = await startSshd();
  const priv = await Deno.makeTempDir();
  try {
    const location = {
      url: urlFor(s, "/tmp"),
      credentials: { sshKey: s.privateKey, hostKey: other.hostPublicKey },
    };
    await assert.rejects(
      () => protocol.snapshots(location, { privateDir: priv, now: new Date() }),
      (e) => isUserError(e, "tool-failed") && /host key verification failed/i.test(e.message),
    );
    // The key files were removed again.
    assert.deepEqual([...Deno.readDirSync(priv)], []);
  } finally {
    await s.stop();
    await other.stop();
    await Deno.remove(priv, { recursive: true });
  }
});

Deno.test("rsync+ssh: /~/ paths are relative to home; a bare public key pins too", async () => {
  const s = await startSshd();
  const priv = await Deno.makeTempDir();
  const home = Deno.env.get("HOME") ?? "/root";
  const name = `paradux-home-test-${crypto.randomUUID()}`;
  try {
    const src = join(priv, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "home\n");
    const location = {
      url: `rsync+ssh://${s.user}@127.0.0.1:${s.port}/~/${name}`,
      credentials: { sshKey: s.privateKey, hostKey: s.hostPublicKey },
    };
    const ctx = { privateDir: priv, now: new Date() };
    const r = await protocol.push(src, location, ctx);
    assert.equal(await Deno.readTextFile(join(home, name, r.snapshot.id, "a.txt")), "home\n");
  } finally {
    await Deno.remove(join(home, name), { recursive: true }).catch(() => {});
    await s.stop();
    await Deno.remove(priv, { recursive: true });
  }
});

Deno.test("rsync+ssh: a key the server does not accept is tool-failed", async () => {
  const s = await startSshd();
  const other = await startSshd();
  const priv = await Deno.makeTempDir();
  try {
    const location = {
      url: urlFor(s, "/tmp"),
      credentials: { sshKey: other.privateKey, hostKey: s.hostKeyLine },
    };
    await assert.rejects(
      () => protocol.snapshots(location, { privateDir: priv, now: new Date() }),
      (e) => isUserError(e, "tool-failed") && /permission denied/i.test(e.message),
    );
  } finally {
    await s.stop();
    await other.stop();
    await Deno.remove(priv, { recursive: true });
  }
});

Deno.test("rsync+ssh: unchanged files are hard links on the server (relative --link-dest)", async () => {
  const s = await startSshd();
  const base = await Deno.makeTempDir({ prefix: "paradux-ssh-links-" });
  try {
    const src = join(base, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "same.txt"), "unchanged\n");
    await Deno.writeTextFile(join(src, "changes.txt"), "one\n");
    const root = join(base, "dest dir");
    const location = { url: urlFor(s, root), credentials: credentials(s) };
    const ctx = () => ({ privateDir: base, now: new Date() });
    const r1 = await protocol.push(src, location, ctx());
    // another size: rsync's quick check (size, mtime in seconds) must see the change
    await Deno.writeTextFile(join(src, "changes.txt"), "two, longer\n");
    const r2 = await protocol.push(src, location, ctx());
    const ino = async (id: string, f: string) => (await Deno.stat(join(root, id, f))).ino;
    assert.equal(await ino(r1.snapshot.id, "same.txt"), await ino(r2.snapshot.id, "same.txt"));
    assert.notEqual(
      await ino(r1.snapshot.id, "changes.txt"),
      await ino(r2.snapshot.id, "changes.txt"),
    );
  } finally {
    await s.stop();
    await Deno.remove(base, { recursive: true });
  }
});
