/**
 * `deno task compile`: builds dist/paradux, one self-contained binary with the same permission
 * set as every other run (`-P=paradux` from deno.json) and the templates embedded.
 *
 * `deno compile` needs Deno's runtime (denort), which it downloads from Deno's release server;
 * machines without that access cannot produce a runnable binary. Set DENORT_BIN to a denort
 * binary you already have to compile offline (it is passed through). With
 * `--check-graph` this script sets DENORT_BIN to the deno binary itself: that proves the module
 * graph compiles (CI does this), but the file it writes runs as plain deno, not as Paradux.
 * @module
 */

/** The `deno compile` arguments for an output path. */
export function compileArgs(output: string): string[] {
  return ["compile", "-q", "-P=paradux", "--include", "templates", "--output", output, "main.ts"];
}

async function main(args: string[]): Promise<number> {
  const checkGraph = args.includes("--check-graph");
  const outIndex = args.indexOf("--output");
  const output = outIndex >= 0 ? (args[outIndex + 1] ?? "dist/paradux") : "dist/paradux";
  const env: Record<string, string> = {};
  if (checkGraph) env.DENORT_BIN = Deno.execPath();
  const result = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(output),
    env,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  if (result.code !== 0) {
    console.error(stderr);
    if (/dl\.deno\.land|denort|dns error|sending request/i.test(stderr)) {
      console.error(
        "compile: deno compile could not download Deno's runtime (denort) from this machine.\n" +
          "hint: run it where dl.deno.land is reachable, or set DENORT_BIN to a denort binary.",
      );
    }
    return 1;
  }
  console.error(
    checkGraph
      ? `compile: module graph compiles (${output} is plain deno: DENORT_BIN was deno itself)`
      : `compile: wrote ${output}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
