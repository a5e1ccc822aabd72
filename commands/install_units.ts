/**
 * `paradux install-units [--root DIR]`: rewrite the job files and the systemd units of every
 * dataset (this also happens after every vault change). Without --root (or $PARADUX_UNITS_ROOT)
 * the units go to /etc/systemd/system and are enabled with systemctl.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { systemdRunning } from "../system/systemd.ts";
import { writeJobs } from "../datasets/jobs.ts";
import { installUnits, UNITS_ROOT_ENV } from "../datasets/units.ts";
import { defineCommand } from "./_command.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `install-units`. */
export interface InstallUnitsOptions extends PassphraseOptions {
  /** `--root DIR`. */
  root?: string;
}

/** The `install-units` command. */
export const command = defineCommand<InstallUnitsOptions>({
  name: "install-units",
  summary: "write the job files and systemd timers of every dataset",
  description:
    "Writes HOME/jobs/DATASET.json (0600: the dataset, its credentials and the age recipient)\n" +
    "and paradux-backup@DATASET.service/.timer. With --root DIR the units go to\n" +
    "DIR/etc/systemd/system (for packaging; systemctl is not run); otherwise to\n" +
    "/etc/systemd/system, followed by 'systemctl daemon-reload' and 'enable --now'.",
  options: [
    { flags: "--root <dir>", description: "write the units under DIR instead of the live system" },
    PASSPHRASE_OPTION,
  ],
  json: true,
  async run(options, deps) {
    const { io, globals } = deps;
    const root = options.root ?? (Deno.env.get(UNITS_ROOT_ENV) || undefined);
    if (root === undefined && !systemdRunning()) {
      throw new ParaduxError("usage", "systemd is not running on this machine", {
        hint: "pass --root DIR to write the units into a directory",
      });
    }
    const vault = await openHomeVault(options, deps);
    const jobs = await writeJobs(vault.docs, globals.home);
    const units = await installUnits(
      vault.docs,
      globals.home,
      root === undefined ? {} : { root },
    );
    if (globals.json) {
      io.json({ jobs, units });
      return;
    }
    for (const f of jobs.written) io.out(`job   ${f}`);
    for (const f of units.written) io.out(`unit  ${f}`);
    for (const f of [...jobs.removed, ...units.removed]) io.out(`removed ${f}`);
    if (units.live) io.out("enabled the timers (systemctl enable --now)");
  },
});
