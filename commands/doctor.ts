/**
 * `paradux doctor`: which external programs Paradux uses are installed, and how to get the rest.
 * @module
 */
import { defineCommand } from "./_command.ts";
import { hasTool, TOOL_PACKAGES } from "../system/exec.ts";

/** Options of `doctor` (none besides the globals). */
export type DoctorOptions = Record<string, never>;

/** Tools every installation needs, and the ones only some protocols or features need. */
const REQUIRED = ["cryptsetup", "rsync", "tar"];

/** The `doctor` command. */
export const command = defineCommand<DoctorOptions>({
  name: "doctor",
  summary: "check that the programs Paradux runs are installed",
  description: "Lists every external program Paradux may run, whether it is on PATH, and the " +
    "Debian package that provides it. Exits 8 when a required program is missing.",
  json: true,
  run(_options, { globals, io }) {
    const rows = Object.entries(TOOL_PACKAGES)
      .filter(([tool]) => tool !== "sshd" && tool !== "python3")
      .map(([tool, pkg]) => ({
        tool,
        package: pkg,
        installed: hasTool(tool),
        required: REQUIRED.includes(tool),
      }));
    const missingRequired = rows.filter((r) => r.required && !r.installed);
    if (globals.json) {
      io.json({ tools: rows, ok: missingRequired.length === 0 });
    } else {
      for (const r of rows) {
        const state = r.installed ? "ok     " : r.required ? "MISSING" : "absent ";
        io.out(`${state} ${r.tool.padEnd(16)} (Debian package: ${r.package})`);
      }
      const absent = rows.filter((r) => !r.installed).map((r) => r.package);
      if (absent.length > 0) {
        io.out(`\nto install what is absent: apt-get install ${[...new Set(absent)].join(" ")}`);
      }
    }
    return Promise.resolve(missingRequired.length === 0 ? 0 : 8);
  },
});
