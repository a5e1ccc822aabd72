/**
 * Standard input, read once: the single owner of stdin. Every reader of `-` (a recovery input,
 * the 24 words, a passphrase) goes through here, so stdin is consumed at most once and whoever
 * asks again gets the same bytes.
 * @module
 */

let bytes: Promise<Uint8Array> | undefined;

/** All of stdin as bytes (read on the first call, cached after). */
export function stdinBytes(): Promise<Uint8Array> {
  bytes ??= new Response(Deno.stdin.readable).bytes();
  return bytes;
}

/** All of stdin as UTF-8 text. */
export async function stdinText(): Promise<string> {
  return new TextDecoder().decode(await stdinBytes());
}
