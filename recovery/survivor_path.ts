/**
 * The survivor's path as one value: inputs (files, scans, typed text, stdin) -> the verified
 * recovery secret -> a vault copy opened into documents. `paradux recover` runs it, and so do
 * the drill (with the stewards' package texts and the published exports) and the demo (with
 * the package PDFs and a metadata location), so a drill or a demo that passes has run the code
 * a survivor runs. A test replaces one step of {@link SURVIVOR_PATH} and sees the drill fail.
 * @module
 */
import { readInputs, type ReadInputsOptions } from "../paper/read_inputs.ts";
import type { LabelledInput } from "../paper/inputs.ts";
import { type OpenedSource, type ReconstructedSecret, reconstructSecret } from "./recovery.ts";
import { openRecoverySource } from "./recovery_source.ts";

/** The three steps of recovery. */
export interface RecoveryPath {
  /** Reads the inputs a survivor gives (paper/read_inputs.ts). */
  read(args: readonly string[], options?: ReadInputsOptions): Promise<LabelledInput[]>;
  /** Verifies shares and card (or a typed mnemonic) and rebuilds the recovery secret. */
  secret(
    inputs: LabelledInput[],
    options?: { mnemonic?: string; rescue?: boolean },
  ): Promise<ReconstructedSecret>;
  /** Opens the vault copy at `from` (export, metadata location URL, paper copy). */
  open(
    from: string,
    secret: ReconstructedSecret,
    rescue?: boolean,
  ): Promise<OpenedSource & { warnings: string[] }>;
}

/** The real path (what `paradux recover` runs). */
export const SURVIVOR_PATH: RecoveryPath = {
  read: (args, options) => readInputs(args, { requireCodes: true, ...options }),
  secret: (inputs, options) => reconstructSecret(inputs, options),
  open: (from, secret, rescue) => openRecoverySource(from, secret, rescue ?? false),
};
