/**
 * The recovery kit's html as the CLI carries it: kit/kit.gen.ts (written by `deno task kit`)
 * holds it gzipped; this unpacks it and checks its SHA-256, so the compiled program, which has
 * no network and no kit/ folder, can write recovery-kit.html anywhere.
 * @module
 */
import { sha256, toHex } from "../crypto/hashes.ts";
import { KIT_GZIP_BASE64, KIT_SHA256, KIT_SIZE } from "./kit.gen.ts";

/** The file name the kit is written under. */
export const KIT_FILE = "recovery-kit.html";

let cached: Promise<Uint8Array> | undefined;

/** The bytes of recovery-kit.html. */
export function recoveryKitHtml(): Promise<Uint8Array> {
  cached ??= (async () => {
    const gz = Uint8Array.from(atob(KIT_GZIP_BASE64), (c) => c.charCodeAt(0));
    const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
    const html = new Uint8Array(await new Response(stream).arrayBuffer());
    if (html.length !== KIT_SIZE || toHex(sha256(html)) !== KIT_SHA256) {
      throw new Error("the embedded recovery kit is damaged (its SHA-256 does not match)");
    }
    return html;
  })();
  return cached;
}

/** The kit's SHA-256 (hex) and size, for messages. */
export const KIT_INFO: { sha256: string; size: number } = { sha256: KIT_SHA256, size: KIT_SIZE };
