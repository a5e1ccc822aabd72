/**
 * The one cipher the engine supports, for data segments and keyslot areas: aes-xts-plain64.
 * @module
 */
import { ParaduxError } from "../../errors.ts";

/** The one cipher this engine supports for segments and keyslot areas. */
export const SUPPORTED_CIPHER = "aes-xts-plain64";

/** Throws ParaduxError("input") unless `cipher` is supported; `what` names the place. */
export function checkCipher(cipher: string, what: string): void {
  if (cipher !== SUPPORTED_CIPHER) {
    throw new ParaduxError(
      "input",
      `unsupported cipher '${cipher.slice(0, 40)}' in luks2 ${what}`,
      {
        hint: `paradux vaults use ${SUPPORTED_CIPHER}`,
      },
    );
  }
}
