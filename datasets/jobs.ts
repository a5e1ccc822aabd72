/**
 * Job files for unattended runs: a systemd timer cannot ask for the everyday passphrase, so on
 * every vault change Paradux writes one file per dataset, `HOME/jobs/NAME.json` (0600, in a
 * 0700 directory), holding just what `paradux backup --job FILE` needs: that dataset (with its
 * own credentials and no other dataset's) and the age *recipient* its encrypted destinations
 * are sealed to. Never the identity: whoever reads a job file can write backups, not read them.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { currentDataKey } from "./data_keys.ts";
import type { Dataset, Documents } from "../vault/documents.ts";
import { validateDocument } from "../vault/schema.ts";

/** The format tag of a job file. */
export const JOB_FORMAT = "paradux-job-v1";

/** What a job file holds. */
export interface JobFile {
  /** Always {@link JOB_FORMAT}. */
  format: typeof JOB_FORMAT;
  /** The dataset, with only its own credentials. */
  dataset: Dataset;
  /** The age recipient encrypted destinations are sealed to, and its generation. */
  encryption: { recipient: string; keyGeneration: number };
}

/** The jobs directory of a home. */
export function jobsDir(home: string): string {
  return join(home, "jobs");
}

/** The job file of one dataset. */
export function jobPath(home: string, dataset: string): string {
  return join(jobsDir(home), `${dataset}.json`);
}

/** The job of one dataset (pure). */
export function jobFor(docs: Documents, dataset: Dataset): JobFile {
  const key = currentDataKey(docs.secrets);
  return {
    format: JOB_FORMAT,
    dataset: structuredClone(dataset),
    encryption: { recipient: key.recipient, keyGeneration: key.generation },
  };
}

/** What {@link writeJobs} did. */
export interface JobsReport {
  /** Job files written. */
  written: string[];
  /** Job files of datasets no longer in the vault, removed. */
  removed: string[];
}

/**
 * Writes every dataset's job file and removes the files of datasets that are gone (the jobs
 * directory is made only when there is a dataset).
 */
export async function writeJobs(docs: Documents, home: string): Promise<JobsReport> {
  const dir = jobsDir(home);
  if (docs.datasets.datasets.length === 0) {
    try {
      await Deno.stat(dir);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { written: [], removed: [] };
      throw e;
    }
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await Deno.chmod(dir, 0o700);
  const written: string[] = [];
  const keep = new Set<string>();
  for (const dataset of docs.datasets.datasets) {
    const path = jobPath(home, dataset.name);
    await writeFileAtomic(path, JSON.stringify(jobFor(docs, dataset), null, 2) + "\n", {
      mode: 0o600,
    });
    keep.add(`${dataset.name}.json`);
    written.push(path);
  }
  const removed: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !e.name.endsWith(".json") || keep.has(e.name)) continue;
    await Deno.remove(join(dir, e.name)).catch(() => {});
    removed.push(join(dir, e.name));
  }
  return { written, removed };
}

function badJob(path: string, why: string): ParaduxError {
  return new ParaduxError("input", `the job file ${path} is invalid: ${why}`, {
    hint: "regenerate the job files with 'paradux install-units'",
  });
}

/**
 * Reads and checks a job file.
 * @throws ParaduxError `not-found` for a missing file, `input` for a malformed one.
 */
export async function readJob(path: string): Promise<JobFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", `no job file at ${path}`, {
        hint: "job files are written after every vault change; run 'paradux install-units'",
      });
    }
    throw e;
  }
  let v: Partial<JobFile>;
  try {
    v = JSON.parse(text);
  } catch {
    throw badJob(path, "not JSON");
  }
  if (v?.format !== JOB_FORMAT) throw badJob(path, `format is not ${JOB_FORMAT}`);
  const issues = validateDocument("datasets", { datasets: [v.dataset] });
  if (issues.length > 0) {
    throw badJob(path, issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  }
  const enc = v.encryption;
  if (
    typeof enc !== "object" || enc === null || !/^age1[0-9a-z]{58}$/.test(enc.recipient) ||
    !Number.isInteger(enc.keyGeneration)
  ) {
    throw badJob(path, "no valid age recipient");
  }
  return v as JobFile;
}
