/**
 * A chained push in a child process for the SIGKILL step of tests/integration/protocols/chain.ts:
 * reads a JSON config (kind, location, src, stateDir, privateDir, recipient), pushes, and at the
 * first progress report prints `uploading` and blocks on stdin, so the parent kills it in the
 * middle of the upload.
 * @module
 */
import { protocol as s3 } from "../../../protocols/s3.ts";
import { protocol as ftp } from "../../../protocols/ftp.ts";
import { protocol as file } from "../../../protocols/file.ts";
import { pushEncrypted } from "../../../datasets/encrypted.ts";
import type { TransferContext } from "../../../protocols/protocol.ts";

const c = JSON.parse(await Deno.readTextFile(Deno.args[0]!));
let told = false;
const ctx: TransferContext = {
  privateDir: c.privateDir,
  now: new Date(),
  progress: () => {
    if (told) return;
    told = true;
    Deno.stdout.writeSync(new TextEncoder().encode("uploading\n"));
    Deno.stdin.readSync(new Uint8Array(1)); // blocks until killed
  },
};
const chain = { stateDir: c.stateDir };
if (c.kind === "encrypted-file") {
  await pushEncrypted(c.src, c.location, file, [c.recipient], ctx, {
    keyGeneration: c.keyGeneration ?? 1,
    chain,
    partSize: 65536,
  });
} else {
  await (c.kind === "s3" ? s3 : ftp).push(c.src, c.location, ctx, { chain });
}
console.log("done");
