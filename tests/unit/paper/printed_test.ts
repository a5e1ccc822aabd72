import assert from "node:assert/strict";
import { makeBackup } from "../../../paper/backup.ts";
import {
  printableFromInputs,
  printableOf,
  renderBackupDocuments,
  shardDocumentName,
  splitTwin,
} from "../../../paper/printed.ts";
import { decodeQrPayloadText } from "../../../paper/format/qr_payload.ts";
import { presetLayout } from "../../../paper/layout.ts";
import { ParaduxError } from "../../../errors.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function sharded() {
  return makeBackup({
    files: [{ path: "a.bin", data: crypto.getRandomValues(new Uint8Array(1500)) }],
    shards: { k: 2, n: 3 },
    workFactor: 2,
  });
}

Deno.test("renderBackupDocuments: names, twins that hold the frames, PDFs", async () => {
  const b = await sharded();
  const docs = await renderBackupDocuments(printableOf(b, { k: 2, n: 3 }), presetLayout("a4"));
  assert.deepEqual(docs.map((d) => d.name), [
    "qr_document.pdf",
    "recovery_document.pdf",
    ...[1, 2, 3].map((i) => shardDocumentName(b.docId, i, 3)),
  ]);
  for (const d of docs) assert.equal(new TextDecoder().decode(d.pdf.subarray(0, 5)), "%PDF-");
  const qrLines = docs[0]!.text.trim().split("\n");
  assert.deepEqual(qrLines.map(decodeQrPayloadText), [...b.mainFrames, b.authFrame]);
  assert.equal(docs[1]!.text, b.recoveryText);
  // Ethernity reads a shard text file as one fallback section: a SHARD FRAME marker, then only
  // lines of z-base-32 groups; the QR payload goes to a file of its own
  assert.equal(splitTwin(docs[2]!.text), null);
  assert.equal(docs[2]!.text, b.shardTexts[0]!.replace(/\n*$/, "\n"));
  const [marker, ...body] = docs[2]!.text.trimEnd().split("\n");
  assert.equal(marker, "SHARD FRAME");
  assert.ok(body.length > 0);
  for (const l of body) assert.match(l, /^[ybndrfg8ejkmcpqxot1uwisza345h769 ]+$/, l);
  assert.deepEqual(
    docs[2]!.qrPayloadsText!.trim().split("\n").map(decodeQrPayloadText),
    [b.shardFrames[0]],
  );
  assert.equal(docs[0]!.qrPayloadsText, undefined);
  assert.equal(docs[1]!.qrPayloadsText, undefined);
  // the recovery document's twin by the same rules (Ethernity's fallback_parser.py): section
  // markers, and between them only z-base-32 groups (spaces and '-' allowed)
  const rec = docs[1]!.text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const section = /^[=\-:\s]*(auth|key|shard|main) frame[=\-:\s]*$/i;
  assert.match(rec[0] ?? "", section, "it opens with a section marker");
  assert.ok(rec.some((l) => /main frame/i.test(l)), "a MAIN FRAME section");
  for (const l of rec) {
    if (!section.test(l)) assert.match(l, /^[ybndrfg8ejkmcpqxot1uwisza345h769 -]+$/, l);
  }
});

Deno.test("printableFromInputs: the same documents from any mix of frames and text", async () => {
  const b = await sharded();
  const original = printableOf(b, { k: 2, n: 3 });
  const fromText = printableFromInputs([b.recoveryText, b.shardTexts[1]!]);
  const fromFrames = printableFromInputs([
    ...b.mainFrames.reverse(),
    b.authFrame,
    b.shardFrames[1]!,
  ]);
  b.mainFrames.reverse();
  for (const p of [fromText, fromFrames]) {
    assert.equal(p.docId, b.docId);
    assert.deepEqual(p.mainFrames, b.mainFrames);
    assert.deepEqual(p.authFrame, b.authFrame);
    assert.equal(p.recoveryText, b.recoveryText);
    assert.deepEqual(p.signerPub, b.signerPub);
    assert.equal(p.passphrase, null);
    assert.deepEqual(p.sharding, { k: 2, n: 3 });
    assert.deepEqual(p.shards.map((s) => [s.index, s.text]), [[2, original.shards[1]!.text]]);
  }
  const onlyShards = printableFromInputs([b.shardFrames[2]!, b.shardTexts[0]!]);
  assert.deepEqual(onlyShards.mainFrames, []);
  assert.deepEqual(onlyShards.shards.map((s) => s.index), [1, 3]);
  const docs = await renderBackupDocuments(onlyShards, presetLayout("letter"));
  assert.deepEqual(docs.map((d) => d.name), [1, 3].map((i) => shardDocumentName(b.docId, i, 3)));
});

Deno.test("printableFromInputs: frames of two backups, missing frames, nothing", async () => {
  const a = await sharded();
  const b = await sharded();
  const kind = (k: string, re: RegExp) => (e: unknown) => {
    assert.ok(e instanceof ParaduxError);
    assert.equal(e.kind, k, e.message);
    assert.match(e.message, re);
    return true;
  };
  assert.throws(
    () => printableFromInputs([a.recoveryText, b.shardFrames[0]!]),
    kind("mismatch", /shard of another backup/),
  );
  assert.throws(
    () => printableFromInputs([...a.mainFrames, b.authFrame]),
    kind("mismatch", /auth frame of another document/),
  );
  assert.throws(
    () => printableFromInputs(a.mainFrames.slice(1)),
    kind("insufficient", /missing main frames 1 of/),
  );
  assert.throws(() => printableFromInputs([enc("AP")]), kind("input", /./));
});
