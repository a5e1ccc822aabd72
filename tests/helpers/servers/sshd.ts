/**
 * A throwaway OpenSSH server on 127.0.0.1 for integration tests (rsync+ssh, restic sftp).
 *
 * `startSshd()` makes a temp dir with a fresh ed25519 host key and client key, writes an
 * sshd_config (loopback only, a free port, key auth only, `Subsystem sftp internal-sftp`) and runs
 * `/usr/sbin/sshd -D -e -f CONFIG` as the current user, who is the only user that can log in.
 * `stop()` kills it and removes the temp dir. Needs Debian's openssh-server and openssh-client.
 * @module
 */
import { join } from "node:path";

/** A running test sshd. */
export interface Sshd {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** The user to log in as (the current user). */
  user: string;
  /** Host to connect to (always `127.0.0.1`). */
  host: string;
  /** Path of the client's private key file (0600). */
  keyFile: string;
  /** The client's private key (OpenSSH format text, ends with a newline). */
  privateKey: string;
  /** A known_hosts line pinning the server: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`. */
  hostKeyLine: string;
  /** The server's public host key alone: `ssh-ed25519 AAAA...`. */
  hostPublicKey: string;
  /** The temp dir holding keys, config and logs. */
  dir: string;
  /** What sshd wrote to stderr so far (for debugging failed tests). */
  log(): string;
  /** Kills sshd and removes the temp dir. */
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";

async function run(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${program} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function currentUser(): string {
  const uid = Deno.uid();
  if (uid === 0) return "root";
  const fromEnv = Deno.env.get("USER") ?? Deno.env.get("LOGNAME");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const passwd = Deno.readTextFileSync("/etc/passwd");
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f[2] === String(uid) && f[0] !== undefined) return f[0];
  }
  throw new Error(`cannot find the user name of uid ${uid}`);
}

/** The sshd_config text for a test server. */
export function sshdConfig(o: {
  port: number;
  dir: string;
  hostKey: string;
  authorizedKeys: string;
  root: boolean;
}): string {
  return [
    `Port ${o.port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${o.hostKey}`,
    `PidFile ${join(o.dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    "StrictModes no",
    "UsePAM no",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    `PermitRootLogin ${o.root ? "prohibit-password" : "no"}`,
    "Subsystem sftp internal-sftp",
    "LogLevel ERROR",
    "MaxStartups 100",
    "MaxSessions 100",
    "",
  ].join("\n");
}

async function waitForBanner(port: number, child: Deno.ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) throw new Error("sshd exited during startup");
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        const buf = new Uint8Array(64);
        const n = await conn.read(buf);
        if (n !== null && new TextDecoder().decode(buf.subarray(0, n)).startsWith("SSH-")) return;
      } finally {
        conn.close();
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not accept connections on port ${port} within ${ms} ms`);
}

/** Logs in once, so a server that cannot work (locked account...) fails here, readably. */
async function checkLogin(
  dir: string,
  port: number,
  user: string,
  keyFile: string,
  hostPublicKey: string,
  log: () => string,
): Promise<void> {
  const knownHosts = join(dir, "known_hosts");
  await Deno.writeTextFile(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  const out = await new Deno.Command("ssh", {
    args: [
      ...["-F", "/dev/null", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"],
      ...["-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes"],
      ...["-p", String(port), `${user}@127.0.0.1`, "true"],
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `cannot log in to the test sshd as ${user}: ${new TextDecoder().decode(out.stderr)}\n` +
        `sshd log: ${log()}\n(a locked account? try: sudo usermod -p '*' ${user})`,
    );
  }
}

/** Starts a test sshd; retries with another port if the first one was taken meanwhile. */
export async function startSshd(): Promise<Sshd> {
  const root = Deno.uid() === 0;
  if (root) await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await Deno.makeTempDir({ prefix: "paradux-sshd-" });
  try {
    const hostKey = join(dir, "host_ed25519");
    const keyFile = join(dir, "client_ed25519");
    await run("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "paradux-test-host",
      "-f",
      hostKey,
    ]);
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "paradux-test", "-f", keyFile]);
    const authorizedKeys = join(dir, "authorized_keys");
    await Deno.copyFile(`${keyFile}.pub`, authorizedKeys);
    const hostPublicKey = (await Deno.readTextFile(`${hostKey}.pub`)).trim().split(" ")
      .slice(0, 2).join(" ");
    const privateKey = await Deno.readTextFile(keyFile);
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = freePort();
      const config = join(dir, "sshd_config");
      await Deno.writeTextFile(
        config,
        sshdConfig({ port, dir, hostKey, authorizedKeys, root }),
      );
      const child = new Deno.Command(SSHD, {
        args: ["-D", "-e", "-f", config],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      let log = "";
      const logDone = (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of child.stderr) log += decoder.decode(chunk, { stream: true });
      })();
      try {
        await waitForBanner(port, child, 10_000);
      } catch (e) {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
        await child.status;
        await logDone;
        lastError = new Error(`${(e as Error).message}: ${log}`);
        continue;
      }
      let stopped = false;
      const user = currentUser();
      await checkLogin(dir, port, user, keyFile, hostPublicKey, () => log).catch(async (e) => {
        child.kill("SIGTERM");
        await child.status;
        await logDone;
        throw e;
      });
      return {
        port,
        user,
        host: "127.0.0.1",
        keyFile,
        privateKey,
        hostKeyLine: `[127.0.0.1]:${port} ${hostPublicKey}`,
        hostPublicKey,
        dir,
        log: () => log,
        async stop() {
          if (stopped) return;
          stopped = true;
          try {
            child.kill("SIGTERM");
          } catch {
            // already gone
          }
          await child.status;
          await logDone;
          await Deno.remove(dir, { recursive: true }).catch(() => {});
        },
      };
    }
    throw lastError;
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}
