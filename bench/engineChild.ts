// One bench configuration in its own Node process, so its peak RSS and wasm heap are its own: the parent
// (bench/run.ts) spawns `node out/bench/engineChild.js '<ChildJob JSON>'` and reads the one result line.
// Also the hook for ONNX Runtime inference: when bench/onnx.ts exists and exports benchOnnxInference, the
// job { engine: 'onnx' } runs it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { benchEngine, type EngineBenchResult } from './engine';
import { measureHere } from './onnx';
import type { BackendPreference } from '../kernel/engine/backend';

export interface ChildJob {
  /** 'tfjs' (bench/engine.ts) or 'onnx' (bench/onnx.ts's benchOnnxInference, inference only). */
  engine: 'tfjs' | 'onnx';
  backend: BackendPreference;
  mode: 'train' | 'infer';
  preset: string;
  steps: number;
  /** Threads asked for (EMPATHY_WASM_THREADS for wasm; the ONNX session's intra-op threads). */
  threads: number;
}

export type ChildResult = ({ ok: true; result: EngineBenchResult & { engine: string; detail: string } } | { ok: false; error: string }) & { job: ChildJob; threads: number };

const MARK = 'BENCH_RESULT ';

/** Run a job in a child process (env EMPATHY_WASM_THREADS = job.threads), forwarding its log lines. */
export function runInChild(job: ChildJob, log: (s: string) => void, timeoutS: number): Promise<ChildResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, EMPATHY_WASM_THREADS: String(job.threads) };
    const child = spawn(process.execPath, [join(__dirname, 'engineChild.js'), JSON.stringify(job)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutS * 1000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let i: number;
      while ((i = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        if (line.startsWith(MARK)) {
          try {
            const parsed = JSON.parse(line.slice(MARK.length)) as ChildResult;
            clearTimeout(timer);
            resolve(parsed);
          } catch (e) {
            resolve({ ok: false, error: `unreadable result line: ${(e as Error).message}`, job, threads: job.threads });
          }
        } else if (line.trim()) log(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const why = timedOut ? `killed after the ${timeoutS} s limit` : signal ? `killed by ${signal}` : `exited ${code}`;
      resolve({ ok: false, error: `${why}: ${err.trim().split('\n').slice(-3).join(' | ') || 'no output'}`, job, threads: job.threads }); // a no-op when a result came first
    });
  });
}

async function childMain(job: ChildJob): Promise<ChildResult> {
  const log = (s: string) => console.log(s);
  if (job.engine === 'onnx') {
    // The serving path on onnxruntime (bench/onnx.ts measureHere): a checkpoint loaded as `test`/`predict` load
    // it, same synthetic batch, B32 T64.
    const r = await measureHere({ engine: 'onnxruntime', threads: job.threads, preset: job.preset, batch: 32, seqLen: 64, fromCheckpoint: true });
    const detail = `onnxruntime (CPU, ${r.threads} thread${r.threads === 1 ? '' : 's'}; served from a checkpoint: ${r.served})`;
    return {
      ok: true, job, threads: job.threads,
      result: {
        engine: 'onnx', detail, backend: { name: 'cpu', device: 'CPU', detail, skipped: [], chosenBy: 'config' },
        preset: job.preset, batch: 32, seqLen: 64, mode: 'infer', pairsPerSecond: r.pairsPerSecond,
        peakRssGB: r.peakRssGB, leakedTensors: 0,
      },
    };
  }
  const r = await benchEngine({ backend: job.backend, mode: job.mode, preset: job.preset, steps: job.steps, log });
  // The matmul line (EMPATHY_MATMUL) after the thread count, so run.ts's /(\d+) threads?/ still reads the backend's.
  const detail = r.backend.matmul ? `${r.backend.detail} · matmul: ${r.backend.matmul}` : r.backend.detail;
  return { ok: true, job, threads: job.threads, result: { ...r, engine: 'tfjs', detail } };
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
  childMain(job).then(
    (r) => { console.log(MARK + JSON.stringify(r)); process.exit(0); },
    (e) => { console.log(MARK + JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e), job, threads: job.threads })); process.exit(1); },
  );
}
