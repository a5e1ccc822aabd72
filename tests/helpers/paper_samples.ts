/**
 * Valid paper-format payloads that fuzz tests mutate: a MAIN frame, an AUTH payload and a shard
 * payload, all signed with one fixed seed (test values only).
 * @module
 */
import { encodeAuthPayload } from "../../paper/format/auth.ts";
import { encodeFrame } from "../../paper/format/frame.ts";
import { encodeShardPayload } from "../../paper/format/shard.ts";

/** The signing seed of the samples. */
export const SAMPLE_SEED: Uint8Array = new Uint8Array(32).fill(2);

/** A MAIN frame (1 of 3) carrying `dataBytes` bytes. */
export function sampleFrame(dataBytes: number): Uint8Array {
  return encodeFrame({
    type: "main",
    docId: new Uint8Array(8).fill(1),
    index: 1,
    total: 3,
    data: new Uint8Array(dataBytes).fill(9),
  });
}

/** An AUTH payload signed with {@link SAMPLE_SEED}. */
export function sampleAuth(): Uint8Array {
  return new Uint8Array(encodeAuthPayload(new Uint8Array(32).fill(3), SAMPLE_SEED));
}

/** A version 2 passphrase shard payload (1 of 3, k = 2) signed with {@link SAMPLE_SEED}. */
export function sampleShard(): Uint8Array {
  return new Uint8Array(encodeShardPayload({
    version: 2,
    type: "passphrase",
    threshold: 2,
    shareCount: 3,
    shareIndex: 1,
    length: 20,
    share: new Uint8Array(32).fill(4),
    hash: new Uint8Array(32).fill(3),
    setId: new Uint8Array(16).fill(5),
  }, SAMPLE_SEED));
}
