import assert from "node:assert/strict";
import { recoverBackup } from "../../../paper/backup.ts";
import { framesOfInputs } from "../../../paper/inputs.ts";
import { sha256, toHex } from "../../../crypto/hashes.ts";
import {
  GOLDEN_DIR,
  GOLDEN_PASSPHRASE,
  goldenPath,
  goldenPayloads,
  goldenSnapshot,
  PROFILES,
  SCENARIOS,
} from "../../helpers/ethernity_golden.ts";

const SOURCES = new Map<string, Uint8Array>();
for (
  const p of [
    "standalone_secret.txt",
    "mixed_input.txt",
    "directory_payload/alpha.txt",
    "directory_payload/nested/beta.json",
    "directory_payload/nested/raw.bin",
  ]
) {
  const data = Deno.readFileSync(`${GOLDEN_DIR}source/${p}`);
  SOURCES.set(toHex(sha256(data)), data);
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

for (const profile of PROFILES) {
  for (const scenario of SCENARIOS) {
    Deno.test(`golden ${profile}/${scenario}: scanned QR payloads recover byte-identical files`, async () => {
      const snap = goldenSnapshot(profile, scenario);
      const main = goldenPayloads(profile, scenario, "main_payloads.bin");
      const shards = goldenPayloads(profile, scenario, "shard_payloads_threshold.bin");
      assert.equal(shards.length, snap.shard_payload_count);
      const sharded = shards.length > 0;
      // frames in reverse order, shards first: order must not matter
      const got = await recoverBackup({
        inputs: [...shards, ...main.reverse()],
        ...(sharded ? {} : { passphrase: GOLDEN_PASSPHRASE }),
      });
      assert.equal(got.authenticated, true);
      assert.equal(got.passphrase, GOLDEN_PASSPHRASE);
      assert.equal(got.sealed, snap.manifest_projection.sealed);
      assert.deepEqual(
        got.files.map((f) => f.path),
        snap.manifest_projection.files.map((f) => f.path),
      );
      for (const f of got.files) {
        const hex = toHex(sha256(f.data));
        assert.equal(
          hex,
          snap.expected_file_sha256[f.path] ??
            snap.manifest_projection.files.find((x) => x.path === f.path)?.sha256,
        );
        assert.deepEqual(f.data, SOURCES.get(hex), `${f.path} differs from the source file`);
      }
    });

    Deno.test(`golden ${profile}/${scenario}: base64 payload text gives the same frames`, () => {
      const bin = goldenPayloads(profile, scenario, "main_payloads.bin");
      const text = readText(goldenPath(profile, scenario, "main_payloads.txt")) ?? "";
      const frames = framesOfInputs([text]);
      assert.deepEqual(frames.map((f) => f.bytes), bin);
      const shardBin = goldenPayloads(profile, scenario, "shard_payloads_threshold.bin");
      const shardText = readText(goldenPath(profile, scenario, "shard_payloads_threshold.txt"));
      if (shardText !== null) {
        assert.deepEqual(framesOfInputs([shardText]).map((f) => f.bytes), shardBin);
      }
      const signing = readText(
        goldenPath(profile, scenario, "signing_key_shard_payloads_threshold.txt"),
      );
      if (signing !== null) {
        const frames = framesOfInputs([signing]);
        assert.ok(frames.length > 0 && frames.every((f) => f.frame.type === "key"));
      }
    });
  }
}

Deno.test("golden fallback text of Ethernity's recovery document (numbered, two columns) recovers", async () => {
  const text = Deno.readTextFileSync(
    `${GOLDEN_DIR}fallback/raw_file_no_shard_recovery_document.txt`,
  );
  const got = await recoverBackup({ inputs: [text], passphrase: GOLDEN_PASSPHRASE });
  assert.equal(got.authenticated, true);
  assert.deepEqual(got.files.map((f) => f.path), ["standalone_secret.txt"]);
  assert.deepEqual(
    got.files[0]?.data,
    SOURCES.get(toHex(sha256(got.files[0]?.data ?? new Uint8Array()))),
  );
  assert.deepEqual(got.warnings, []);
});

Deno.test("golden fallback text with two typed shard texts recovers without the passphrase", async () => {
  const dir = `${GOLDEN_DIR}fallback/`;
  const got = await recoverBackup({
    inputs: [
      Deno.readTextFileSync(`${dir}raw_sharded_embedded_shard_2.txt`),
      Deno.readTextFileSync(`${dir}raw_sharded_embedded_recovery_document.txt`),
      Deno.readTextFileSync(`${dir}raw_sharded_embedded_shard_1.txt`),
    ],
  });
  assert.equal(got.authenticated, true);
  assert.equal(got.passphrase, GOLDEN_PASSPHRASE);
  assert.equal(
    got.files.length,
    goldenSnapshot("raw", "sharded_embedded").manifest_projection.files.length,
  );
});
