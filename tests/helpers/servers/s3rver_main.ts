/**
 * Runs npm s3rver (a fake S3 server) on 127.0.0.1 over TLS, in its own process so the test
 * process's event loop and permissions stay clean. Started by `s3rver.ts`; not a test itself.
 *
 * Usage: `deno run -P=test s3rver_main.ts DIR KEY.pem CERT.pem BUCKET...`
 * Prints one line `{"port": N}` on stdout once listening, then serves until killed.
 * @module
 */
import S3rver from "s3rver";
import type { ServerResponse } from "node:http";

const [dir, keyFile, certFile, ...buckets] = Deno.args;
if (dir === undefined || keyFile === undefined || certFile === undefined) {
  throw new Error("usage: s3rver_main.ts DIR KEY.pem CERT.pem BUCKET...");
}

const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: Deno.env.get("S3RVER_VERBOSE") === undefined,
  directory: dir,
  key: await Deno.readFile(keyFile),
  cert: await Deno.readFile(certFile),
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const address = await server.run();
// Deno's node:https compat stalls the next request on a kept-alive connection after a streamed
// object body; one request per connection avoids it (restic and rclone reconnect as needed).
server.httpServer.prependListener("request", (_req: unknown, res: ServerResponse) => {
  res.setHeader("Connection", "close");
});
console.log(JSON.stringify({ port: address.port }));
