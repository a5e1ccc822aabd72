/**
 * How a path the user gave is named in messages: as given, plus the absolute path it resolved to
 * when it was relative (`ann.pdf (/home/ann/recovery/ann.pdf)`), so a wrong working directory is
 * plain to see.
 * @module
 */
import { isAbsolute, resolve } from "node:path";

/** `path` as given, followed by its absolute form in parentheses when it is relative (pure but for the working directory). */
export function shownPath(path: string): string {
  return isAbsolute(path) || path === "-" ? path : `${path} (${resolve(path)})`;
}

/** The user error for a file the user named that is not there, with the directory searched. */
export function missingPathMessage(path: string, what = ""): string {
  return `${what === "" ? "" : `${what} `}${shownPath(path)} does not exist`;
}
