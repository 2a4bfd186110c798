// The type checker's thread: hosts one CellTypechecker off the kernel's main thread, so checking a
// cell (seconds on first use) neither delays the cell nor blocks interrupts. Requests are handled in
// order (a cell's check and commit precede the next cell's).
import { parentPort, workerData } from 'node:worker_threads';
import { CellTypechecker } from './typecheck';
import type { TypecheckRequest, TypecheckResponse } from './typecheckThread';

const port = parentPort!;
const checker = new CellTypechecker({ cwd: (workerData as { cwd: string }).cwd });

port.on('message', (req: TypecheckRequest) => {
  let res: TypecheckResponse;
  try {
    switch (req.op) {
      case 'check': res = { id: req.id, ok: true, diagnostics: checker.check(req.code) }; break;
      case 'commit': checker.commit(req.code, req.typed); res = { id: req.id, ok: true }; break;
      case 'complete': res = { id: req.id, ok: true, completions: checker.complete(req.code, req.offset) }; break;
      case 'reset': checker.reset(); res = { id: req.id, ok: true }; break;
      case 'warm': checker.check(''); res = { id: req.id, ok: true }; break;
    }
  } catch (e) {
    res = { id: req.id, ok: false, error: (e as Error)?.message ?? String(e) };
  }
  port.postMessage(res);
});
