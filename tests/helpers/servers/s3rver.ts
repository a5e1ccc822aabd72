/**
 * A throwaway S3-compatible server on 127.0.0.1 over TLS for integration tests (`s3` protocol,
 * restic's s3 backend): npm s3rver run by `deno run` in a subprocess (s3rver_main.ts) with a
 * self-signed certificate for IP 127.0.0.1 made by openssl, a kernel-chosen port, and the given
 * buckets. s3rver accepts any signature, so the keys are placeholders. Needs Debian's openssl.
 * @module
 */
import { join } from "node:path";
import { startServerProcess } from "./process.ts";

/** A running test S3 server. */
export interface S3Server {
  /** `https://127.0.0.1:PORT`. */
  endpoint: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** PEM text of the server's self-signed certificate (the CA to trust). */
  caCert: string;
  /** Path of that certificate. */
  caCertFile: string;
  /** An access key id it accepts. */
  accessKeyId: string;
  /** A secret key it accepts. */
  secretAccessKey: string;
  /** The directory holding the buckets. */
  dir: string;
  /** What the server logged so far. */
  log(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const MAIN = new URL("./s3rver_main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

async function run(program: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(program, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${program} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Makes a self-signed certificate for IP 127.0.0.1 in `dir`: returns key and cert paths. */
export async function makeLoopbackCert(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  return { key, cert };
}

/** The port in s3rver_main.ts's first line (`{"port": N}`), NaN when it is not one. */
function portOfLine(line: string): number {
  try {
    return (JSON.parse(line) as { port: number }).port;
  } catch {
    return NaN;
  }
}

/** Starts s3rver with `buckets` (names of 3+ characters). */
export async function startS3rver(buckets: string[] = ["paradux-test"]): Promise<S3Server> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-s3rver-" });
  const data = join(dir, "data");
  await Deno.mkdir(data);
  const { key, cert } = await makeLoopbackCert(dir);
  const server = await startServerProcess({
    program: Deno.execPath(),
    args: ["run", "-q", "--config", CONFIG, "-P=test", MAIN, data, key, cert, ...buckets],
    readyFrom: "stdout",
    ready: (out) => out.includes("\n") ? portOfLine(out.split("\n")[0] ?? "") : undefined,
    timeoutMs: 30_000,
    cleanup: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
    what: "s3rver",
  });
  const port = server.port;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    port,
    caCert: await Deno.readTextFile(cert),
    caCertFile: cert,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    dir,
    log: server.log,
    stop: server.stop,
  };
}
