import assert from "node:assert/strict";
import { buildKit, MAX_KIT_BYTES, recordedSha } from "../../scripts/kit.ts";
import { KIT_INFO, recoveryKitHtml } from "../../kit/html.ts";
import { sha256, toHex } from "../../crypto/hashes.ts";

Deno.test("kit build: same bytes twice, under 3 MiB, one file, and what the CLI embeds", async () => {
  const a = await buildKit();
  const b = await buildKit();
  assert.deepEqual(a, b, "the kit build is not reproducible");
  assert.ok(a.length <= MAX_KIT_BYTES, `${a.length} bytes`);
  const html = new TextDecoder().decode(a);
  // one file: no external scripts, styles, images or imports
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/i);
  assert.doesNotMatch(html, /(^|[;}\s])import\s*[^(;]*?from\s*"/);
  assert.match(html, /Content-Security-Policy"\s+content="default-src 'none'/);
  assert.match(html, /Nothing leaves this page/);
  const sha = toHex(sha256(a));
  assert.equal(await recordedSha(), sha, "kit/kit.gen.ts is stale: run deno task kit");
  assert.equal(KIT_INFO.sha256, sha);
  assert.deepEqual(await recoveryKitHtml(), a);
});
