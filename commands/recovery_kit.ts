/**
 * `paradux recovery-kit --out FILE`: write recovery-kit.html, one offline web page that
 * recovers a vault from stewards' shares and a vault export (or the 24 words), and paper
 * backups, in any modern browser, also on a phone, with nothing installed. It is built from the
 * same code as this program (`deno task kit`) and embedded in it.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { KIT_FILE, KIT_INFO, recoveryKitHtml } from "../kit/html.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { exists } from "../system/exists.ts";
import { defineCommand } from "./_command.ts";

/** Options of `recovery-kit`. */
export interface RecoveryKitOptions {
  /** `--out FILE`. */
  out?: string;
  /** `--force`. */
  force?: boolean;
}

/** The `recovery-kit` command. */
export const command = defineCommand<RecoveryKitOptions>({
  name: "recovery-kit",
  summary: "write recovery-kit.html: recover in a web browser, offline, without Paradux",
  description: `Writes ${KIT_FILE} (one self-contained page: no network, nothing stored) to ` +
    "FILE. Opened in a browser it rebuilds the recovery secret from stewards' shares (QR " +
    "photos or typed text) or takes the 24 words, opens a vault export and shows the " +
    "documents; it also recovers paper backups. export-steward-packages puts it beside the " +
    "packages and in every USB kit.",
  options: [
    { flags: "--out <file>", description: `where to write it (e.g. ${KIT_FILE})` },
    { flags: "--force", description: "replace an existing FILE" },
  ],
  json: true,
  async run(options, deps) {
    if (options.out === undefined) {
      throw new ParaduxError("usage", "--out FILE is required", {
        hint: `e.g. paradux recovery-kit --out ${KIT_FILE}`,
      });
    }
    if (options.force !== true && await exists(options.out)) {
      throw new ParaduxError("exists", `${options.out} exists`, {
        hint: "choose another name, or pass --force to replace it",
      });
    }
    const html = await recoveryKitHtml();
    await writeFileAtomic(options.out, html, { mode: 0o644 });
    const report = { path: options.out, size: KIT_INFO.size, sha256: KIT_INFO.sha256 };
    if (deps.globals.json) deps.io.json(report);
    else {
      deps.io.out(`wrote ${options.out} (${report.size} bytes, sha256 ${report.sha256})`);
      deps.io.out("open it in a web browser; it works offline and sends nothing anywhere");
    }
  },
});
