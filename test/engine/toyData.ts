// A small, seeded, learnable toy corpus for the engine tests (no rows of the real dataset): responses with
// feeling words are level 2 with those words as rationales, the rest level 0 (or level 1 for "hope").
import type { LabeledPair, Level } from '../../kernel/engine/types';
import { labelOf } from '../../dataset/label';

const seekers = ['I failed my exam again today', 'My friend stopped talking to me', 'I cannot sleep at night', 'Work is crushing me lately'];
const strong = ["I'm so sorry, that sounds awful", 'That must be really painful for you', 'I feel so sad reading this'];
const weak = ['I hope things get better', 'hope you feel better soon'];
const neutral = ['Have you tried going for a walk?', 'What did your teacher say about it?', 'Maybe ask your doctor about melatonin.'];

export function toyPairs(n: number, seed = 1): LabeledPair[] {
  let a = seed >>> 0;
  const rnd = () => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a / 4294967296; };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: LabeledPair[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const sp = pick(seekers);
    let rp: string, level: Level, rationales: string[];
    if (kind === 0) { const s = pick(strong); rp = `${s}. ${pick(neutral)}`; level = 2; rationales = [s]; }
    else if (kind === 1) { const w = pick(weak); rp = `${pick(neutral)} ${w}.`; level = 1; rationales = [w]; }
    else { rp = pick(neutral); level = 0; rationales = []; }
    out.push({ id: `p${i}`, spId: `s${i % 7}`, seekerPost: sp, responsePost: rp, labels: { ER: labelOf(rp, level, rationales) } });
  }
  return out;
}

/** The toy train config: tiny model, cpu backend (deterministic), short sequences. */
export const toyConfig = {
  preset: 'tiny',
  backend: 'cpu' as const,
  vocab_size: 400,
  max_len: 32,
  batch_size: 8,
  lr: 3e-3,
  epochs: 2,
  do_validation: false,
};
