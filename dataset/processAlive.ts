// Whether a pid names a live process on this host: how a killed writer's temp files
// (dataset/staleTempFiles.ts) and a killed training's run (kernel/runs/liveness.ts) are told from live ones.

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
