/**
 * A throwaway restic REST server on 127.0.0.1 over TLS for integration tests (restic's `rest:`
 * backend): `rclone serve restic` (Debian's rclone) on a kernel-chosen port, with HTTP basic
 * auth (a random password) and a self-signed certificate for IP 127.0.0.1 from openssl.
 * The test-only password is on rclone's command line; Paradux itself never does that.
 * @module
 */
import { join } from "node:path";
import { startServerProcess } from "./process.ts";
import { makeLoopbackCert } from "./s3rver.ts";

/** A running test REST server. */
export interface RestServer {
  /** `https://USER@127.0.0.1:PORT` (no password). */
  baseUrl: string;
  /** HTTP user. */
  user: string;
  /** HTTP password. */
  password: string;
  /** PEM text of the server certificate (the CA to trust). */
  caCert: string;
  /** Directory holding the repositories. */
  dir: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Starts `rclone serve restic`. */
export async function startRestServer(): Promise<RestServer> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-rest-" });
  const data = join(dir, "data");
  await Deno.mkdir(data);
  const { key, cert } = await makeLoopbackCert(dir);
  const user = "paradux";
  const password = crypto.randomUUID();
  const env = Deno.env.toObject();
  delete env.AWS_CA_BUNDLE;
  const server = await startServerProcess({
    program: "rclone",
    args: [
      "serve",
      "restic",
      "--config",
      "/dev/null",
      "--addr",
      "127.0.0.1:0",
      "--user",
      user,
      "--pass",
      password,
      "--cert",
      cert,
      "--key",
      key,
      data,
    ],
    clearEnv: true,
    env,
    readyFrom: "stderr",
    ready: (out) => {
      const m = /Serving restic REST API on https:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      return m === null ? undefined : Number(m[1]);
    },
    timeoutMs: 15_000,
    cleanup: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
    what: "rclone serve restic",
  });
  const port = server.port;
  return {
    baseUrl: `https://${user}@127.0.0.1:${port}`,
    user,
    password,
    caCert: await Deno.readTextFile(cert),
    dir: data,
    stop: server.stop,
  };
}
