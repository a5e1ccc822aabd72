/**
 * The interface every data-transfer protocol implements. One protocol per file in protocols/,
 * exporting `protocol`; `deno task codegen` lists them in `registry.gen.ts`, and a location URL's
 * scheme picks the protocol. Registries reject duplicate schemes.
 * @module
 */

/** A protocol's declaration (the protocols issue extends this with transfer operations). */
export interface ProtocolSpec {
  /** Short name, e.g. `file`, `rsync+ssh`. */
  readonly name: string;
  /** URL schemes this protocol handles, without the colon (e.g. `file`, `rsync+ssh`). */
  readonly schemes: readonly string[];
  /** One line for `--help` and docs. */
  readonly summary: string;
}
