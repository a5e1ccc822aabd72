/**
 * A location URL described in plain words, for people who do not read URLs: the steward letter
 * says "a folder on a computer or disk at /mnt/usb/vault" or "an S3 bucket named ada-backups at
 * s3.example.net", with the address itself printed beside it for whoever does the recovery.
 *
 * Pure: only the URL and the non-secret credentials `endpoint` and `region` are read; a
 * password is never part of the words.
 * @module
 */

/** Non-secret hints a location's credentials may carry. */
export interface LocationHints {
  /** S3-compatible service address. */
  endpoint?: string;
  /** S3 region. */
  region?: string;
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Authority {
  user: string | null;
  host: string;
  port: string | null;
  path: string;
}

/** `//user:pass@host:port/path` → its parts (the password dropped); null when not of that shape. */
function authority(rest: string): Authority | null {
  const m = /^\/\/(?:([^@/:]*)(?::[^@/]*)?@)?(\[[^\]]+\]|[^/:]*)(?::(\d+))?(\/.*)?$/.exec(rest);
  if (m === null) return null;
  return {
    user: m[1] === undefined || m[1] === "" ? null : decoded(m[1]),
    host: m[2] ?? "",
    port: m[3] ?? null,
    path: decoded(m[4] ?? "/"),
  };
}

function login(a: Authority, defaultPort: string): string {
  const parts: string[] = [];
  if (a.user !== null) parts.push(`user ${a.user}`);
  if (a.port !== null && a.port !== defaultPort) parts.push(`port ${a.port}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

function homePath(path: string): string {
  if (path === "/~" || path === "/~/") return "the home folder";
  if (path.startsWith("/~/")) return `the folder ${path.slice(3)} in the home folder`;
  return `the folder ${path}`;
}

function s3Words(bucketAndPath: string, hints: LocationHints, what = "an S3 bucket"): string {
  const [bucket = "", ...rest] = bucketAndPath.replace(/^\/+/, "").split("/");
  const folder = rest.join("/").replace(/\/+$/, "");
  const service = hints.endpoint === undefined || hints.endpoint === ""
    ? "Amazon S3" + (hints.region === undefined ? "" : ` (region ${hints.region})`)
    : `the S3-compatible service at ${hints.endpoint.replace(/\/+$/, "")}`;
  return `${what} named ${bucket} on ${service}` +
    (folder === "" ? "" : `, in its folder ${decoded(folder)}`);
}

function resticWords(repo: string, hints: LocationHints): string {
  const store = "a restic backup store";
  if (repo.startsWith("/")) return `${store} in the folder ${repo} on a computer or disk`;
  if (repo.startsWith("sftp:")) {
    const sftp = repo.slice(5);
    if (sftp.startsWith("//")) {
      const a = authority(sftp);
      if (a !== null) {
        return `${store} in ${homePath(a.path.replace(/^\/\//, "/"))} on the computer ` +
          `${a.host}, reached over SSH${login(a, "22")}`;
      }
    }
    const m = /^(?:([^@]+)@)?([^:]+):(.*)$/.exec(sftp);
    if (m !== null) {
      const who = m[1] === undefined ? "" : ` (user ${m[1]})`;
      const path = m[3] === "" ? "the home folder" : `the folder ${m[3]}`;
      return `${store} in ${path} on the computer ${m[2]}, reached over SSH${who}`;
    }
  }
  if (repo.startsWith("s3:")) {
    const s3 = repo.slice(3);
    const m = /^(https?:\/\/[^/]+)(\/.*)?$/.exec(s3);
    if (m !== null) {
      return s3Words(m[2] ?? "", { endpoint: m[1] as string }, `${store} in the S3 bucket`);
    }
    const [host = "", ...rest] = s3.split("/");
    const aws = /(^|\.)amazonaws\.com$/.test(host);
    return s3Words(rest.join("/"), aws ? hints : { endpoint: host }, `${store} in the S3 bucket`);
  }
  if (repo.startsWith("rest:")) {
    const url = repo.slice(5).replace(/^(https?:\/\/)([^/@:]*)(:[^/@]*)?@/, "$1$2@");
    return `${store} on the restic REST server at ${url}`;
  }
  return `${store} at ${repo}`;
}

/**
 * The location `url` in plain words, e.g. `file:///mnt/usb/vault` → "a folder on a computer
 * or disk at /mnt/usb/vault". Unknown schemes and malformed URLs give "the address URL".
 */
export function describeLocation(url: string, hints: LocationHints = {}): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? "";
  const rest = url.slice(scheme.length + 1);
  const fallback = `the address ${url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1@")}`;
  switch (scheme) {
    case "file": {
      const a = authority(rest);
      if (a === null || (a.host !== "" && a.host !== "localhost")) return fallback;
      return `a folder on a computer or disk at ${a.path}`;
    }
    case "rsync+ssh": {
      const a = authority(rest);
      if (a === null || a.host === "") return fallback;
      return `${homePath(a.path)} on the computer ${a.host}, reached over SSH${login(a, "22")}`;
    }
    case "ftp": {
      const a = authority(rest);
      if (a === null || a.host === "") return fallback;
      const path = a.path === "/" ? "the login folder" : `the folder ${a.path.slice(1)}`;
      return `${path} on the FTP server ${a.host}${login(a, "21")}`;
    }
    case "s3": {
      const a = authority(rest);
      if (a === null || a.host === "") return fallback;
      return s3Words(`${a.host}${a.path}`, hints);
    }
    case "restic":
      return rest === "" ? fallback : resticWords(rest, hints);
    default:
      return fallback;
  }
}
