/**
 * Encrypted destinations over the network protocols: the same push / grep / restore as
 * encrypted_push_test.ts (there over `file`), over `s3` (npm s3rver over TLS), `ftp`
 * (pyftpdlib) and `rsync+ssh` (an untrusted host; OpenSSH sshd) on 127.0.0.1. The grep runs
 * over the servers' storage directories on disk.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isUserError } from "../../errors.ts";
import type { Location, ProtocolSpec, TransferContext } from "../../protocols/protocol.ts";
import { partName } from "../../protocols/archive.ts";
import { protocol as s3 } from "../../protocols/s3.ts";
import { protocol as ftp } from "../../protocols/ftp.ts";
import { protocol as rsyncSsh } from "../../protocols/rsync_ssh.ts";
import { allDataKeys, currentDataKey } from "../../datasets/data_keys.ts";
import { newSecrets } from "../../vault/secrets.ts";
import { encryptedSnapshots, pushEncrypted, restoreEncrypted } from "../../datasets/encrypted.ts";
import { diffTrees, listTree, makeUnusualTree } from "../helpers/tree.ts";
import { startS3rver } from "../helpers/servers/s3rver.ts";
import { startFtp } from "../helpers/servers/ftp.ts";
import { startSshd } from "../helpers/servers/sshd.ts";

const MARKER = "PARADUX-REMOTE-MARKER-51c9";

/** A server-backed location plus the directory where the server keeps what it stores. */
interface Backend {
  location: Location;
  storage: string;
  /** What the server appends to an object's name on disk. */
  suffix: string;
  stop(): Promise<void>;
}

async function grepFiles(dir: string, needle: string): Promise<string[]> {
  const out = await new Deno.Command("grep", {
    args: ["-r", "-l", "-a", "-F", "--", needle, dir],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

async function context(tmp: string): Promise<TransferContext> {
  const privateDir = await Deno.makeTempDir({ dir: tmp, prefix: "priv-" });
  await Deno.chmod(privateDir, 0o700);
  return { privateDir, now: new Date() };
}

/** Files under `dir` whose path ends with `suffix`. */
async function findFiles(dir: string, suffix: string): Promise<string[]> {
  return [...(await listTree(dir)).entries()]
    .filter(([path, e]) => e.kind === "file" && path.endsWith(suffix))
    .map(([path]) => join(dir, path));
}

function encryptedOver(
  name: string,
  protocol: ProtocolSpec,
  start: () => Promise<Backend>,
): void {
  Deno.test(`encrypted push over ${name}: grep finds nothing, keep prunes, restore is identical, damage is named`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: `paradux-encremote-` });
    const backend = await start();
    try {
      const src = join(tmp, "src");
      await Deno.mkdir(src);
      await makeUnusualTree(src, { randomFiles: 6 });
      await Deno.writeTextFile(join(src, "marker.txt"), `${MARKER}\n`);
      await Deno.writeFile(join(src, "noise.bin"), crypto.getRandomValues(new Uint8Array(60000)));
      const secrets = await newSecrets(2);
      const key = currentDataKey(secrets);
      const push = async () =>
        pushEncrypted(src, backend.location, protocol, [key.recipient], await context(tmp), {
          keyGeneration: key.generation,
          keep: 1,
          partSize: 32 * 1024,
        });
      const first = await push();
      assert.ok(first.manifest.parts.length >= 2, "several parts");
      await Deno.writeTextFile(join(src, "marker.txt"), `${MARKER} second\n`);
      const second = await push();
      assert.deepEqual(second.removed, [first.snapshot.id]);
      const snaps = await encryptedSnapshots(backend.location, protocol, await context(tmp));
      assert.deepEqual(snaps.map((x) => x.id), [second.snapshot.id]);

      // The server's storage holds parts, but no name or content of the source.
      assert.ok(
        (await findFiles(backend.storage, partName(0) + backend.suffix)).length > 0,
        "parts are stored",
      );
      const needles = new Set([MARKER, "hello paradux", "data in the middle of a hole"]);
      for (const path of (await listTree(src)).keys()) {
        for (const part of path.split("/")) for (const line of part.split("\n")) needles.add(line);
      }
      for (const needle of needles) {
        assert.deepEqual(await grepFiles(backend.storage, needle), [], `"${needle}" visible`);
        const named = [...(await listTree(backend.storage)).keys()].filter((p) =>
          p.includes(needle)
        );
        assert.deepEqual(named, [], `"${needle}" in a stored name`);
      }

      const out = join(tmp, "restored");
      const got = await restoreEncrypted(
        backend.location,
        protocol,
        allDataKeys(secrets),
        out,
        await context(tmp),
      );
      assert.equal(got.snapshot.id, second.snapshot.id);
      assert.deepEqual(await diffTrees(src, out), []);

      // Damage one stored part: the restore names it and leaves nothing behind.
      const stored = await findFiles(backend.storage, partName(1) + backend.suffix);
      assert.equal(stored.length, 1, `one stored ${partName(1)}: ${stored.join(", ")}`);
      const victim = stored[0]!;
      const bytes = await Deno.readFile(victim);
      bytes[100] = (bytes[100] ?? 0) ^ 1;
      await Deno.writeFile(victim, bytes);
      const out2 = join(tmp, "restored2");
      await assert.rejects(
        async () =>
          restoreEncrypted(
            backend.location,
            protocol,
            allDataKeys(secrets),
            out2,
            await context(tmp),
          ),
        (e) => isUserError(e) && e.message.includes(partName(1)),
      );
      assert.deepEqual([...Deno.readDirSync(out2)], []);
    } finally {
      await backend.stop();
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

encryptedOver("s3 (s3rver)", s3, async () => {
  const s = await startS3rver(["paradux-enc"]);
  return {
    location: {
      url: "s3://paradux-enc/encrypted%20copies",
      credentials: {
        accessKeyId: s.accessKeyId,
        secretAccessKey: s.secretAccessKey,
        endpoint: s.endpoint,
        caCert: s.caCert,
      },
    },
    storage: s.dir,
    suffix: "._S3rver_object",
    stop: () => s.stop(),
  };
});

encryptedOver("ftp (pyftpdlib)", ftp, async () => {
  const s = await startFtp();
  return {
    location: {
      url: `ftp://${s.user}@127.0.0.1:${s.port}/encrypted%20copies`,
      credentials: { password: s.password },
    },
    storage: s.root,
    suffix: "",
    stop: () => s.stop(),
  };
});

encryptedOver("rsync+ssh (sshd)", rsyncSsh, async () => {
  const s = await startSshd();
  const storage = await Deno.makeTempDir({ prefix: "paradux-encremote-ssh-" });
  const path = join(storage, "sealed copies").split("/").map(encodeURIComponent).join("/");
  return {
    location: {
      url: `rsync+ssh://${s.user}@127.0.0.1:${s.port}${path}`,
      credentials: { sshKey: s.privateKey, hostKey: s.hostKeyLine },
    },
    storage,
    suffix: "",
    stop: async () => {
      await s.stop();
      await Deno.remove(storage, { recursive: true });
    },
  };
});
