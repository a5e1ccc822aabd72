/**
 * The part every test server shares: start a process, read its port from the first output that
 * names one (on stdout or stderr, within a time limit), keep its output as a log, and stop it
 * once (SIGTERM, wait, then the caller's cleanup).
 * @module
 */

/** How to start one server. */
export interface ServerStart {
  /** The program and its arguments. */
  program: string;
  args: string[];
  /** The child's environment (with `clearEnv`, all of it). */
  env?: Record<string, string>;
  clearEnv?: boolean;
  /** Text written to stdin, which is then closed (stdin is null without it). */
  stdin?: string;
  /** Which stream announces the port; the other one is only logged. */
  readyFrom: "stdout" | "stderr";
  /** The port in the output so far, or undefined while there is none yet. */
  ready: (output: string) => number | undefined;
  /** How long to wait for the port. */
  timeoutMs: number;
  /** Removes what the server used (after it stopped). */
  cleanup: () => Promise<void>;
  /** Its name, for the error when it does not start. */
  what: string;
}

/** A started server. */
export interface ServerProcess {
  /** The port it announced. */
  port: number;
  /** Everything it printed so far. */
  log(): string;
  /** Stops it and cleans up (only the first call does anything). */
  stop(): Promise<void>;
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (t: string) => void) {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  } catch {
    // cancelled
  }
}

/** Starts a server and waits for its port; throws with its log when it does not come up. */
export async function startServerProcess(start: ServerStart): Promise<ServerProcess> {
  const child = new Deno.Command(start.program, {
    args: start.args,
    ...(start.env === undefined ? {} : { env: start.env }),
    ...(start.clearEnv === true ? { clearEnv: true } : {}),
    stdin: start.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (start.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(start.stdin));
    await writer.close();
  }
  let log = "";
  let output = "";
  let port: number | undefined;
  let announced: () => void = () => {};
  const portSeen = new Promise<void>((resolve) => announced = resolve);
  const readyStream = start.readyFrom === "stdout" ? child.stdout : child.stderr;
  const otherStream = start.readyFrom === "stdout" ? child.stderr : child.stdout;
  const drains = [
    drain(readyStream, (t) => {
      log += t;
      if (port !== undefined) return;
      output += t;
      port = start.ready(output);
      if (port !== undefined) announced();
    }).then(() => announced()),
    drain(otherStream, (t) => log += t),
  ];
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    portSeen,
    new Promise<void>((resolve) => timer = setTimeout(resolve, start.timeoutMs)),
  ]);
  clearTimeout(timer);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Promise.all(drains);
    await start.cleanup();
  };
  if (port === undefined || !Number.isInteger(port) || port <= 0) {
    await stop();
    throw new Error(`${start.what} did not start: ${log}`);
  }
  return { port, log: () => log, stop };
}
