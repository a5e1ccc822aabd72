import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runCli } from "../e2e/cli.ts";

/** Copies the source tree (no .git, no dist) to a temp dir. */
async function copyTree(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    if ([".git", "dist", "node_modules", "tests"].includes(entry.name)) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory) {
      await Deno.mkdir(dst);
      await copyTree(src, dst);
    } else if (entry.isFile) {
      await Deno.copyFile(src, dst);
    }
  }
}

async function codegen(root: string, ...extra: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "-P=test",
      "--config",
      join(root, "deno.json"),
      join(root, "scripts/codegen.ts"),
      "--root",
      root,
      ...extra,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const HELLO = `import { defineCommand } from "./_command.ts";
export const command = defineCommand({
  name: "hello-throwaway",
  summary: "a throwaway command",
  run(_o, { io }) { io.out("hello from a dropped-in file"); return Promise.resolve(0); },
});
`;

Deno.test("codegen: dropping a command file and re-running codegen adds it to --help", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await copyTree(ROOT, tmp);
    assert.equal((await codegen(tmp, "--check")).code, 0, "the committed registries are fresh");
    await Deno.writeTextFile(join(tmp, "commands/hello_throwaway.ts"), HELLO);
    const stale = await codegen(tmp, "--check");
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /commands\/registry\.gen\.ts is stale/);
    assert.equal((await codegen(tmp)).code, 0);
    const help = await runCli(["--help"], { root: tmp });
    assert.match(help.stdout, /hello-throwaway\s+a throwaway command\n/);
    const run = await runCli(["hello-throwaway"], { root: tmp });
    assert.equal(run.stdout.trim(), "hello from a dropped-in file");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("codegen: a duplicate command name fails and names both files", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await copyTree(ROOT, tmp);
    await Deno.writeTextFile(
      join(tmp, "commands/doctor_again.ts"),
      HELLO.replace("hello-throwaway", "doctor"),
    );
    const r = await codegen(tmp);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /duplicate doctor in commands\/doctor\.ts and commands\/doctor_again\.ts/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("codegen: a duplicate protocol scheme fails", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await copyTree(ROOT, tmp);
    const proto = (name: string) =>
      `export const protocol = { name: "${name}", schemes: ["dupe"], summary: "x" };\n`;
    await Deno.writeTextFile(join(tmp, "protocols/zz_one.ts"), proto("one"));
    await Deno.writeTextFile(join(tmp, "protocols/zz_two.ts"), proto("two"));
    const r = await codegen(tmp);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /duplicate scheme dupe in protocols\/zz_one\.ts and protocols\/zz_two\.ts/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compile: the module graph compiles with the paradux permission set", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const out = join(tmp, "paradux");
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-q",
        "-P=test",
        join(ROOT, "scripts/compile.ts"),
        "--check-graph",
        "--output",
        out,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.ok((await Deno.stat(out)).size > 10_000_000);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
