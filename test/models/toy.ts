// A small, seeded toy corpus for the model-family tests (no rows of the real dataset): each response
// mixes an emotional cue (ER), an interpretation cue (IP) and a question (EX); the level follows the cue.
import type { LabeledPair, Level, Mechanism } from '../../kernel/engine/types';
import { labelOf } from '../../dataset/label';

const seekers = ['I failed my exam again today', 'My friend stopped talking to me', 'I cannot sleep at night', 'Work is crushing me lately', 'Nobody listens to me'];
const cues: Record<Mechanism, [string[], string[], string[]]> = {
  ER: [['ok'], ['hope it gets better'], ['I am so sorry, that sounds awful']],
  IP: [['fine'], ['that happens'], ['I went through the same thing last year']],
  EX: [['cool'], ['tell me'], ['what happened after that?']],
};

export function toyPairs(n: number, seed = 1): LabeledPair[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const out: LabeledPair[] = [];
  for (let i = 0; i < n; i++) {
    const drawn: Array<{ m: Mechanism; level: Level; cue: string }> = [];
    for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
      const level = Math.floor(rnd() * 3) as Level;
      drawn.push({ m, level, cue: pick(cues[m][level]) });
    }
    const responsePost = drawn.map((d) => d.cue).join('. ');
    const labels: LabeledPair['labels'] = {};
    for (const { m, level, cue } of drawn) labels[m] = labelOf(responsePost, level, level > 0 ? [cue] : []);
    out.push({ id: `p${i}`, spId: `s${i % 11}`, seekerPost: pick(seekers), responsePost, labels });
  }
  return out;
}
