// How many threads "all cores" means: physical cores, the default thread count of the wasm backend, its
// onnxruntime GEMM and onnxruntime inference.
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Physical cores: distinct (physical id, core id) pairs in /proc/cpuinfo, so SMT siblings count once;
 * where the file has no such lines (not Linux, some ARM kernels), os.availableParallelism().
 */
export function physicalCores(cpuinfo: string | undefined = readCpuinfo()): { cores: number; from: string } {
  const cores = new Set<string>();
  let physical = '0';
  for (const line of (cpuinfo ?? '').split('\n')) {
    const m = /^(physical id|core id)\s*:\s*(\d+)/.exec(line);
    if (!m) continue;
    if (m[1] === 'physical id') physical = m[2];
    else cores.add(`${physical}:${m[2]}`);
  }
  if (cores.size > 0) return { cores: cores.size, from: '/proc/cpuinfo' };
  return { cores: Math.max(1, os.availableParallelism()), from: 'os.availableParallelism()' };
}

function readCpuinfo(): string | undefined {
  try {
    return fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
}
