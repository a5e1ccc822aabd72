/**
 * The `ftp` protocol: a directory on an FTP server, through rclone.
 *
 * URL: `ftp://USER@HOST[:PORT]/PATH`; PATH is relative to the user's login directory (as in
 * RFC 1738 FTP URLs), `%`-escapes allowed. Credential: `password`. A password inside the URL is
 * refused. Every operation writes a 0600 rclone config in the private directory holding the
 * password in rclone's obscured form (made in-process, as `rclone obscure` does); it never appears
 * in argv or the environment.
 *
 * Snapshots are one tar stream each plus a completion marker (protocols/rclone_remote.ts), so modes,
 * symlinks, empty dirs and sparse files survive. `upload` writes a temp name and then renames it
 * (`rclone moveto`); rclone deletes the old copy just before the rename, so for one round trip
 * there is no file, but never a half-written one. An FTP location cannot be a source.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { ftpRemoteOptions, obscure, rcloneConfigText, remotePath } from "../system/rclone.ts";
import type { CredentialSpec, Location, ProtocolSpec, TransferContext } from "./protocol.ts";
import { noPull, privateFiles, rcloneOperations, type RcloneTarget } from "./rclone_remote.ts";
import { credentialProblems, parseSchemeUrl } from "./validate.ts";

/** The parts of an `ftp://` URL. */
export interface FtpUrl {
  /** User name. */
  user: string;
  /** Host name or address (no brackets). */
  host: string;
  /** Port (default 21). */
  port: number;
  /** Directory relative to the login directory, without leading/trailing slashes. */
  path: string;
}

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: "password", required: true, secret: true, description: "the FTP user's password" },
];

/** Problems with an `ftp://` URL (empty = valid) (pure). */
export function ftpUrlProblems(url: string): string[] {
  const u = parseSchemeUrl(url, "ftp");
  if (typeof u === "string") return [u];
  const problems: string[] = [];
  if (u.password !== "") {
    problems.push("put the FTP password in the password credential, not in the URL");
  }
  if (u.username === "") problems.push(`${url} names no user (ftp://USER@HOST/PATH)`);
  if (u.hostname === "") problems.push(`${url} names no host`);
  try {
    // URL() already resolved dot segments, so look at the path as written.
    const written = url.replace(/^ftp:\/\/[^/]*/i, "").replace(/[?#].*$/, "");
    const path = decodeURIComponent(u.pathname);
    if (written.split("/").some((p) => [".", ".."].includes(decodeURIComponent(p)))) {
      problems.push(`${url} has a . or .. path part`);
    }
    if (/[\0\r\n]/.test(path)) problems.push(`${url} has a control character in its path`);
    decodeURIComponent(u.username);
  } catch {
    problems.push(`${url} has a bad %-escape`);
  }
  return problems;
}

/** Parses an `ftp://` URL. @throws ParaduxError `input` when malformed. */
export function parseFtpUrl(url: string): FtpUrl {
  const problems = ftpUrlProblems(url);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const u = new URL(url);
  return {
    user: decodeURIComponent(u.username),
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: u.port === "" ? 21 : Number(u.port),
    path: decodeURIComponent(u.pathname).split("/").filter((p) => p !== "").join("/"),
  };
}

function validate(location: Location): string[] {
  return [...ftpUrlProblems(location.url), ...credentialProblems(CREDENTIALS, location)];
}

async function open(location: Location, ctx: TransferContext): Promise<RcloneTarget> {
  const problems = validate(location);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const { user, host, port, path } = parseFtpUrl(location.url);
  const password = location.credentials?.password ?? "";
  if (/[\r\n]/.test(password)) throw new ParaduxError("input", "the FTP password has a line break");
  const config = rcloneConfigText(
    "ftp",
    ftpRemoteOptions({ host, port, user, obscuredPassword: await obscure(password) }),
  );
  const files = await privateFiles(ctx.privateDir, "rclone-", { "rclone.conf": config });
  return {
    global: { configFile: files.path("rclone.conf") },
    root: remotePath(path),
    where: location.url,
    atomicPut: false,
    close: files.remove,
  };
}

/** The `ftp` protocol. */
export const protocol: ProtocolSpec = {
  name: "ftp",
  schemes: ["ftp"],
  summary: "a directory on an FTP server through rclone; one tar per snapshot",
  credentials: CREDENTIALS,
  canBeSource: false,
  storesPlainFiles: true,
  validate,
  pull: noPull("ftp"),
  ...rcloneOperations(open),
};
