/**
 * `node:url` for the recovery kit's browser bundle.
 * @module
 */

/** The path of a `file:` URL. */
export function fileURLToPath(url: string | URL): string {
  return decodeURIComponent(new URL(url).pathname);
}

/** A `file:` URL for a path. */
export function pathToFileURL(path: string): URL {
  return new URL(`file://${encodeURI(path)}`);
}
