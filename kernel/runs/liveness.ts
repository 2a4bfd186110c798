// Whether a run recorded as `running` still has a process behind it. The recorder writes its pid, host,
// the process's start time and a heartbeat into run.json; a reader on the same host asks the OS (pid
// gone, or reused by a process that started later) and anywhere it reads the heartbeat's age. A process
// killed with SIGKILL, or a machine that lost power, runs no cleanup: this is how its run stops being
// "running" forever.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../../dataset/processAlive';

/** Who is recording a running run (stored in run.json). */
export interface RunProcess {
  pid: number;
  host: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/PID/stat), telling a reused pid apart. */
  startTicks?: string;
  /** ISO time of the last heartbeat. */
  heartbeatAt: string;
}

/** How often a live recorder refreshes its heartbeat (also on training steps, at most this often). */
export const HEARTBEAT_MS = 30_000;
/** A heartbeat older than this means the recorder is gone (a step may block the event loop for minutes). */
export const HEARTBEAT_STALE_MS = 15 * 60_000;

/** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces). */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined; // not Linux, or no such process
  }
}

/** This process, as a run's recorder, now. */
export function currentRunProcess(now = new Date()): RunProcess {
  const startTicks = processStartTicks(process.pid);
  return { pid: process.pid, host: hostname(), ...(startTicks ? { startTicks } : {}), heartbeatAt: now.toISOString() };
}

/** Why the recorder of a `running` run is gone (`process gone`), or undefined while it may be alive. */
export function recorderGone(p: RunProcess, now = Date.now()): string | undefined {
  const beat = Date.parse(p.heartbeatAt);
  const stale = !Number.isFinite(beat) || now - beat > HEARTBEAT_STALE_MS;
  if (p.host === hostname()) {
    if (!processAlive(p.pid)) return 'process gone';
    const ticks = p.startTicks !== undefined ? processStartTicks(p.pid) : undefined;
    if (ticks !== undefined) return ticks === p.startTicks ? undefined : 'process gone'; // else the pid was reused
    return stale ? 'process gone' : undefined; // no start time to compare: the heartbeat decides
  }
  return stale ? `no heartbeat from ${p.host} since ${p.heartbeatAt}` : undefined;
}
