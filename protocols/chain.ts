/**
 * Snapshot chains: what every chained destination (s3, ftp, `encrypt: true`) shares.
 *
 * A chain is one full snapshot (GNU tar level 0, see system/tar.ts) followed by increments, each
 * holding only what changed since the snapshot before it. Every snapshot's completion record (the
 * rclone marker or the encrypted manifest, written LAST) names its `chain`: the ids from its full
 * to itself. Restoring snapshot N extracts each id of its chain in order.
 *
 * The local state of a chain lives in `stateDir` (under the Paradux home, one per dataset and
 * destination): `chain.json` (the destination URL, the last complete snapshot, its chain and
 * sizes) and the tar snapshot file of that snapshot. An increment is made only when that state
 * matches the destination's newest complete snapshot exactly; otherwise (state lost, stale, made
 * for another location, or the destination changed) the push is a full. The state is updated
 * only after the snapshot is complete at the destination, so an interrupted increment leaves the
 * state at the last complete snapshot and the next run continues from there.
 *
 * A new full also starts when the chain holds {@link DEFAULT_MAX_INCREMENTS} increments, when
 * its increments together weigh more than {@link DEFAULT_MAX_INCREMENT_RATIO} x its full, and
 * with `full: true` (`paradux backup --full`).
 *
 * `keep: N` keeps the newest N complete snapshots restorable: those, and every snapshot their
 * chains need back to their full ({@link snapshotsToKeep}); everything else is removed.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { compareSnapshotIds, isSnapshotId } from "./snapshot_id.ts";

/** Increments in one chain before a new full is made (default of `maxIncrements`). */
export const DEFAULT_MAX_INCREMENTS = 30;
/** A new full once the chain's increments weigh this many times its full (default). */
export const DEFAULT_MAX_INCREMENT_RATIO = 1.0;

/** The chain fields of a snapshot's completion record. */
export interface ChainLink {
  /** The snapshot id. */
  snapshot: string;
  /** 0 for a full, n for the n-th increment after it. */
  level: number;
  /** Ids from the chain's full to this snapshot, inclusive, oldest first. */
  chain: string[];
  /** Stored bytes of this snapshot. */
  bytes: number;
}

/** Options of a chained push. */
export interface ChainOptions {
  /** Directory of this chain's local state (created when missing, 0700). */
  stateDir: string;
  /** Make a full even when an increment is possible (`backup --full`). */
  full?: boolean;
  /** Increments before a new full (default {@link DEFAULT_MAX_INCREMENTS}). */
  maxIncrements?: number;
  /** New full once increments weigh this times the full (default 1.0). */
  maxIncrementRatio?: number;
}

/** What `chain.json` holds. */
export interface ChainState {
  /** Format tag. */
  format: "paradux-chain-state-v1";
  /** The destination URL the state belongs to. */
  location: string;
  /** The last complete snapshot. */
  snapshot: string;
  /** Its chain (ids from the full). */
  chain: string[];
  /** Bytes of the chain's full. */
  fullBytes: number;
  /** Bytes of its increments together. */
  incrementBytes: number;
  /** File name (in the state dir) of tar's snapshot file after `snapshot`. */
  snar: string;
}

/** The decision for one push (pure result of {@link planPush}). */
export type ChainPlan =
  | { kind: "full"; reason: string }
  | { kind: "increment"; parent: ChainState };

const STATE_NAME = "chain.json";

/**
 * Full or increment (pure): an increment only when the local state names exactly the
 * destination's newest complete snapshot and chain, and the chain is neither long nor heavy.
 */
export function planPush(
  state: ChainState | undefined,
  url: string,
  newest: ChainLink | undefined,
  options: Omit<ChainOptions, "stateDir">,
): ChainPlan {
  const maxIncrements = options.maxIncrements ?? DEFAULT_MAX_INCREMENTS;
  const ratio = options.maxIncrementRatio ?? DEFAULT_MAX_INCREMENT_RATIO;
  if (options.full === true) return { kind: "full", reason: "a full was asked for" };
  if (state === undefined) return { kind: "full", reason: "no local chain state" };
  if (newest === undefined) return { kind: "full", reason: "the destination holds no snapshot" };
  if (state.location !== url) return { kind: "full", reason: "the state is for another location" };
  if (state.snapshot !== newest.snapshot || state.chain.join() !== newest.chain.join()) {
    return { kind: "full", reason: "the local state does not match the destination" };
  }
  if (state.chain.length - 1 >= maxIncrements) {
    return { kind: "full", reason: `the chain has ${maxIncrements} increments` };
  }
  if (state.incrementBytes > ratio * state.fullBytes) {
    return { kind: "full", reason: "the chain's increments outweigh its full" };
  }
  return { kind: "increment", parent: state };
}

/** The link of a new snapshot `id` made by `plan` (pure). */
export function newLink(plan: ChainPlan, id: string, bytes: number): ChainLink {
  if (plan.kind === "full") return { snapshot: id, level: 0, chain: [id], bytes };
  const chain = [...plan.parent.chain, id];
  return { snapshot: id, level: chain.length - 1, chain, bytes };
}

/** Checks the chain fields of a completion record read from a destination (pure). */
export function isChainLink(v: unknown): v is ChainLink {
  const l = v as Partial<ChainLink> | null;
  return l !== null && typeof l === "object" && typeof l.snapshot === "string" &&
    Number.isInteger(l.level) && Number.isInteger(l.bytes) && Array.isArray(l.chain) &&
    l.chain.length === (l.level ?? -1) + 1 && l.chain.at(-1) === l.snapshot &&
    l.chain.every((id) => typeof id === "string" && isSnapshotId(id)) &&
    l.chain.every((id, i, a) => i === 0 || compareSnapshotIds(a[i - 1]!, id) < 0);
}

/**
 * Which complete snapshots `keep` keeps (pure): the newest `keep` and every id their chains
 * need. Without `keep`, all. Links must be oldest first.
 */
export function snapshotsToKeep(complete: readonly ChainLink[], keep?: number): Set<string> {
  const kept = keep === undefined ? complete : complete.slice(Math.max(0, complete.length - keep));
  const out = new Set<string>();
  for (const l of kept) for (const id of l.chain) out.add(id);
  return out;
}

/**
 * The links to extract, in order, to restore `id` (pure).
 * @throws ParaduxError `not-found` for an unknown id, `input` when a part of its chain is missing.
 */
export function restorePlan(
  complete: readonly ChainLink[],
  id: string,
  where: string,
): ChainLink[] {
  const byId = new Map(complete.map((l) => [l.snapshot, l]));
  const target = byId.get(id);
  if (target === undefined) {
    throw new ParaduxError("not-found", `${where} has no snapshot ${id}`, {
      hint: "list them with `paradux restore DATASET --list`",
    });
  }
  const missing = target.chain.filter((c) => !byId.has(c));
  if (missing.length > 0) {
    throw new ParaduxError(
      "input",
      `snapshot ${id} at ${where} cannot be restored: its chain lacks ${missing.join(", ")}`,
      { hint: "restore another snapshot or from another destination" },
    );
  }
  return target.chain.map((c) => byId.get(c)!);
}

/** Reads the chain state, or undefined when missing or unreadable (which forces a full). */
export async function readChainState(stateDir: string): Promise<ChainState | undefined> {
  try {
    const s = JSON.parse(await Deno.readTextFile(join(stateDir, STATE_NAME))) as ChainState;
    const ok = s.format === "paradux-chain-state-v1" && typeof s.location === "string" &&
      typeof s.snapshot === "string" && Array.isArray(s.chain) && typeof s.snar === "string" &&
      /^snar\.[\w-]+$/.test(s.snar) && Number.isFinite(s.fullBytes) &&
      Number.isFinite(s.incrementBytes);
    if (!ok) return undefined;
    await Deno.stat(join(stateDir, s.snar));
    return s;
  } catch {
    return undefined;
  }
}

/**
 * A working copy of the tar snapshot file for this push, in `workDir`: a copy of the parent's
 * for an increment, a path that does not exist yet for a full.
 */
export async function workingSnar(stateDir: string, plan: ChainPlan, workDir: string) {
  const path = join(workDir, "work.snar");
  await Deno.remove(path).catch(() => {});
  if (plan.kind === "increment") await Deno.copyFile(join(stateDir, plan.parent.snar), path);
  return path;
}

/**
 * Records `link` as the chain's last complete snapshot: the new snar is copied in under its own
 * name first, then `chain.json` is replaced atomically, then older snar files are removed.
 */
export async function commitChainState(
  stateDir: string,
  url: string,
  plan: ChainPlan,
  link: ChainLink,
  snar: string,
): Promise<void> {
  await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const name = `snar.${link.snapshot}`;
  const tmp = join(stateDir, `.${name}.tmp`);
  await Deno.copyFile(snar, tmp);
  await Deno.chmod(tmp, 0o600);
  const f = await Deno.open(tmp, { read: true, write: true });
  try {
    await f.sync();
  } finally {
    f.close();
  }
  await Deno.rename(tmp, join(stateDir, name));
  const parent = plan.kind === "increment" ? plan.parent : undefined;
  const state: ChainState = {
    format: "paradux-chain-state-v1",
    location: url,
    snapshot: link.snapshot,
    chain: link.chain,
    fullBytes: parent?.fullBytes ?? link.bytes,
    incrementBytes: parent === undefined ? 0 : parent.incrementBytes + link.bytes,
    snar: name,
  };
  await writeFileAtomic(join(stateDir, STATE_NAME), JSON.stringify(state, null, 2) + "\n");
  for await (const e of Deno.readDir(stateDir)) {
    if (e.name.startsWith("snar.") && e.name !== name) {
      await Deno.remove(join(stateDir, e.name)).catch(() => {});
    }
  }
}
