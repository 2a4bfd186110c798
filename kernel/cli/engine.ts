// The engine and the model families, loaded on first use: tfjs and the model code load only for commands
// that need them, so `--help`, data commands and error paths stay fast. The CLI runs tfjs in PROD mode,
// which also silences its "install tfjs-node" banner (the backend line already says what runs).
export type Engine = typeof import('../engine') & typeof import('../models');

let cached: Engine | undefined;
export function engine(): Engine {
  if (!cached) {
    (require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs')).env().set('PROD', true);
    cached = { ...(require('../engine') as typeof import('../engine')), ...(require('../models') as typeof import('../models')) };
  }
  return cached!;
}
