/**
 * A throwaway FTP server on 127.0.0.1 for integration tests (the `ftp` protocol): Debian's
 * python3-pyftpdlib run by /usr/bin/python3 with one user (random password, read from stdin)
 * whose home is a fresh temp dir. It listens on a free port chosen by the kernel and prints it;
 * passive data connections use kernel-chosen ports on 127.0.0.1 too. Needs python3-pyftpdlib.
 * @module
 */
import { startServerProcess } from "./process.ts";

/** A running test FTP server. */
export interface FtpServer {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Always `127.0.0.1`. */
  host: string;
  /** The user name. */
  user: string;
  /** The user's password. */
  password: string;
  /** The user's home directory on disk (the server's root for that user). */
  root: string;
  /** What the server logged so far. */
  log(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** The python program: reads the password from stdin, serves `root` for `user`. */
export const FTP_SERVER_PY = `
import sys, logging
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
user, root = sys.argv[1], sys.argv[2]
password = sys.stdin.readline().rstrip("\\n")
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
auth = DummyAuthorizer()
auth.add_user(user, password, root, perm="elradfmwMT")
class Handler(FTPHandler):
    authorizer = auth
    masquerade_address = None
    permit_foreign_addresses = False
    banner = "paradux test ftp"
    def ftp_MLSD(self, path):
        # pyftpdlib answers 501 for a missing directory; real servers (vsftpd) and rclone use 550.
        if not self.fs.lexists(path):
            self.respond("550 No such file or directory.")
            return
        return FTPHandler.ftp_MLSD(self, path)
server = FTPServer(("127.0.0.1", 0), Handler)
server.max_cons = 64
print(server.address[1], flush=True)
server.serve_forever(handle_exit=True)
`;

/** Starts a test FTP server. */
export async function startFtp(): Promise<FtpServer> {
  const root = await Deno.makeTempDir({ prefix: "paradux-ftp-" });
  const user = "paradux";
  const password = `pw-${crypto.randomUUID()}`;
  const server = await startServerProcess({
    program: "/usr/bin/python3",
    args: ["-c", FTP_SERVER_PY, user, root],
    stdin: password + "\n",
    readyFrom: "stdout",
    ready: (out) => out.includes("\n") ? Number(out.trim()) : undefined,
    timeoutMs: 10_000,
    cleanup: () => Deno.remove(root, { recursive: true }).catch(() => {}),
    what: "the ftp server",
  });
  return { ...server, host: "127.0.0.1", user, password, root };
}
