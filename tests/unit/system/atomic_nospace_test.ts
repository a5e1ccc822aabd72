/**
 * `noSpaceError` (system/atomic.ts): a full disk or quota becomes ParaduxError("capacity")
 * naming the file; any other error passes through unchanged. (The real full disk is
 * tests/integration/faults_disk_full_test.ts.)
 * @module
 */
import assert from "node:assert/strict";
import { noSpaceError } from "../../../system/atomic.ts";
import { isUserError } from "../../../errors.ts";

function withCode(code: string): Error {
  return Object.assign(new Error(`os error (${code})`), { code });
}

Deno.test("noSpaceError: ENOSPC and EDQUOT become capacity errors naming the file", () => {
  for (const code of ["ENOSPC", "EDQUOT"]) {
    const cause = withCode(code);
    const e = noSpaceError(cause, "/media/usb/vault-export.luks");
    assert.ok(isUserError(e, "capacity"), code);
    assert.equal(e.message, "no space left on the disk to write /media/usb/vault-export.luks");
    assert.match(e.hint ?? "", /free some space/);
    assert.equal(e.cause, cause);
  }
});

Deno.test("noSpaceError: other errors are returned unchanged", () => {
  for (const e of [withCode("EACCES"), new Deno.errors.NotFound("x"), "text", null, undefined]) {
    assert.equal(noSpaceError(e, "/x"), e);
  }
});
