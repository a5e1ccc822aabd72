/**
 * The chain conformance suite for `encrypt: true` over the `file` protocol: sealed increments
 * made with the age recipient only (the child process of the SIGKILL step gets no identity).
 * @module
 */
import { join } from "node:path";
import { protocol as file } from "../../../protocols/file.ts";
import { currentDataKey } from "../../../datasets/data_keys.ts";
import { newSecrets } from "../../../vault/secrets.ts";
import {
  encryptedSnapshots,
  pushEncrypted,
  restoreEncrypted,
} from "../../../datasets/encrypted.ts";
import { runChainConformance } from "./chain.ts";

const key = currentDataKey(await newSecrets(2));
const identities = [{ generation: key.generation, identity: key.identity }];

runChainConformance("encrypted file", {
  push: (dir, location, ctx, options) =>
    pushEncrypted(dir, location, file, [key.recipient], ctx, {
      keyGeneration: key.generation,
      partSize: 65536,
      ...options,
    }),
  restore: (location, dir, ctx, id) => restoreEncrypted(location, file, identities, dir, ctx, id),
  snapshots: async (location, ctx) =>
    (await encryptedSnapshots(location, file, ctx)).map((s) => ({ id: s.id, level: s.level })),
  childKind: "encrypted-file",
  childExtra: { recipient: key.recipient, keyGeneration: key.generation },
}, {
  setup: async () => {
    const root = await Deno.makeTempDir({ prefix: "paradux-encchain-dest-" });
    return {
      location: () => ({ url: `file://${join(root, crypto.randomUUID())}` }),
      stop: () => Deno.remove(root, { recursive: true }),
    };
  },
});
