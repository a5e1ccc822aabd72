/**
 * The gzip payload codec: compression, and bounded decompression that rejects more output than
 * expected, a truncated stream and trailing bytes.
 * @module
 */
import { ParaduxError } from "../../errors.ts";

/** gzip of the bytes. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** Decompresses one complete gzip member of exactly `expected` bytes of output. */
export async function gunzipBounded(data: Uint8Array, expected: number): Promise<Uint8Array> {
  const fail = (m: string, cause?: unknown): never => {
    throw new ParaduxError("input", `gzip payload: ${m}`, { cause });
  };
  const out = new Uint8Array(expected);
  let got = 0;
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  ).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > expected) {
        await reader.cancel().catch(() => {});
        fail("decompresses to more than payload_raw_len");
      }
      out.set(value, got);
      got += value.length;
    }
  } catch (e) {
    if (e instanceof ParaduxError) throw e;
    fail("corrupt, truncated or followed by trailing bytes", e);
  }
  if (got !== expected) fail("decompresses to fewer bytes than payload_raw_len");
  return out;
}
