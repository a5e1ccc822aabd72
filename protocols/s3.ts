/**
 * The `s3` protocol: a bucket and prefix on AWS S3 or an S3-compatible service, through rclone.
 *
 * URL: `s3://BUCKET/PATH` (PATH optional; `%`-escapes allowed). Credentials: `accessKeyId`,
 * `secretAccessKey`, and for S3-compatible services `endpoint` (`https://host:port`), `region`
 * (default `us-east-1`) and `caCert` (PEM text of the CA that signed the endpoint's certificate;
 * when given, it replaces the system CAs for this location).
 * Every operation writes a 0600 rclone config in the private directory (see system/rclone.ts);
 * keys never appear in argv or the environment.
 *
 * Snapshots are one tar stream each plus a completion marker (protocols/rclone_remote.ts), so modes,
 * symlinks, empty dirs and sparse files survive a store that keeps none of them. An S3 PUT is
 * atomic, so `upload` replaces the old object in one step. An S3 location cannot be a source.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { rcloneConfigText, remotePath, s3RemoteOptions } from "../system/rclone.ts";
import type { CredentialSpec, Location, ProtocolSpec, TransferContext } from "./protocol.ts";
import { noPull, privateFiles, rcloneOperations, type RcloneTarget } from "./rclone_remote.ts";
import { credentialProblems } from "./validate.ts";

/** The parts of an `s3://` URL. */
export interface S3Url {
  /** Bucket name. */
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slashes ("" = the bucket). */
  path: string;
}

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: "accessKeyId", required: true, secret: false, description: "S3 access key id" },
  { name: "secretAccessKey", required: true, secret: true, description: "S3 secret access key" },
  {
    name: "endpoint",
    required: false,
    secret: false,
    description: "endpoint URL of an S3-compatible service, e.g. https://s3.example.net:9000",
  },
  { name: "region", required: false, secret: false, description: "region (default us-east-1)" },
  {
    name: "caCert",
    required: false,
    secret: false,
    description: "PEM text of the CA to trust for the endpoint (replaces the system CAs)",
  },
];

/** Problems with an `s3://` URL (empty = valid) (pure). */
export function s3UrlProblems(url: string): string[] {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
  if (m === null) return [`${url} is not an s3://BUCKET/PATH URL`];
  const bucket = m[1] ?? "";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    return [`${JSON.stringify(bucket)} is not a valid bucket name (3-63 of a-z 0-9 . -)`];
  }
  let path: string;
  try {
    path = decodeURIComponent(m[2] ?? "");
  } catch {
    return [`${url} has a bad %-escape`];
  }
  const parts = path.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === "." || p === "..")) return [`${url} has a . or .. path part`];
  if (/[\0\r\n]/.test(path)) return [`${url} has a control character in its path`];
  return [];
}

/** Parses an `s3://` URL. @throws ParaduxError `input` when malformed. */
export function parseS3Url(url: string): S3Url {
  const problems = s3UrlProblems(url);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url)!;
  const path = decodeURIComponent(m[2] ?? "").split("/").filter((p) => p !== "").join("/");
  return { bucket: m[1] ?? "", path };
}

function validate(location: Location): string[] {
  const problems = [...s3UrlProblems(location.url), ...credentialProblems(CREDENTIALS, location)];
  const endpoint = location.credentials?.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    problems.push(`endpoint ${endpoint} is not an http(s)://host[:port] URL`);
  }
  const ca = location.credentials?.caCert;
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    problems.push("caCert is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  return problems;
}

async function open(location: Location, ctx: TransferContext): Promise<RcloneTarget> {
  const problems = validate(location);
  if (problems.length > 0) throw new ParaduxError("input", problems.join("; "));
  const { bucket, path } = parseS3Url(location.url);
  const c = location.credentials ?? {};
  const config = rcloneConfigText(
    "s3",
    s3RemoteOptions({
      accessKeyId: c.accessKeyId ?? "",
      secretAccessKey: c.secretAccessKey ?? "",
      ...(c.endpoint === undefined ? {} : { endpoint: c.endpoint.replace(/\/$/, "") }),
      ...(c.region === undefined ? {} : { region: c.region }),
    }),
  );
  const files = await privateFiles(ctx.privateDir, "rclone-", {
    "rclone.conf": config,
    ...(c.caCert === undefined ? {} : { "ca.pem": c.caCert }),
  });
  return {
    global: {
      configFile: files.path("rclone.conf"),
      ...(c.caCert === undefined ? {} : { caCertFile: files.path("ca.pem") }),
    },
    root: remotePath(path === "" ? bucket : `${bucket}/${path}`),
    where: location.url,
    atomicPut: true,
    close: files.remove,
  };
}

/** The `s3` protocol. */
export const protocol: ProtocolSpec = {
  name: "s3",
  schemes: ["s3"],
  summary: "an S3 bucket (AWS or compatible) through rclone; one tar per snapshot",
  credentials: CREDENTIALS,
  canBeSource: false,
  storesPlainFiles: true,
  validate,
  pull: noPull("s3"),
  ...rcloneOperations(open),
};
