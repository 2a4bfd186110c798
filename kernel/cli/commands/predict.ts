// `empathy predict`: one (seeker, response) pair — levels with probabilities and the rationale
// highlighted in the terminal (ANSI on a TTY, [[brackets]] otherwise), or JSON.
import type { Mechanism, MechanismPrediction, PairPrediction } from '../../engine';
import { UsageError } from '../args';
import type { Command } from '../command';
import { loadModels, MODEL_OPTIONS, TORCH_MECHANISM_OPTION, TORCH_TOKENIZER_OPTION } from '../models';
import { predictionHealth } from '../../metrics/health';

const NAMES: Record<Mechanism, string> = { ER: 'Emotional Reactions', IP: 'Interpretations', EX: 'Explorations' };
const LEVELS = ['no', 'weak', 'strong'];

/** The response with rationale spans marked: inverse video on a TTY, [[…]] otherwise. */
export function highlight(text: string, p: MechanismPrediction, ansi: boolean): string {
  let out = '';
  let at = 0;
  for (const s of p.spans) {
    out += text.slice(at, s.start) + (ansi ? `\x1b[1;7m${s.text}\x1b[0m` : `[[${s.text}]]`);
    at = s.end;
  }
  return out + text.slice(at);
}

export const predict: Command = {
  name: 'predict',
  summary: 'score one seeker/response pair, rationale highlighted',
  usage: 'usage: empathy predict --seeker "…" --response "…" [--model_path MODEL.pth] [--json]\n       (or --ER_model_path/--IP_model_path/--EX_model_path; no model: the shipped offline-default model)',
  options: [
    { name: 'seeker', type: 'string', metavar: 'TEXT', help: 'the seeker post' },
    { name: 'response', type: 'string', metavar: 'TEXT', help: 'the response post' },
    ...MODEL_OPTIONS,
    TORCH_TOKENIZER_OPTION,
    TORCH_MECHANISM_OPTION,
    { name: 'threshold', type: 'number', help: "token probability counted as rationale (default: the model's own, as `test`: 0.5 for the bi-encoder, tuned per mechanism for the offline default)" },
    { name: 'json', type: 'boolean', help: 'print the prediction as JSON' },
  ],
  async run(args, ctx) {
    const o = args.opts as { seeker?: string; response?: string; threshold?: number; json: boolean };
    if (!o.seeker || o.seeker.trim() === '') throw new UsageError('predict needs --seeker "TEXT"');
    if (!o.response || o.response.trim() === '') throw new UsageError('predict needs --response "TEXT"');
    const pair = { id: 'pair', seekerPost: o.seeker.trim(), responsePost: o.response.trim() };
    const loaded = await loadModels(args.opts, ctx.cwd, { shippedDefault: true, err: ctx.err });
    if (loaded.shippedNote) ctx.err.write(`${loaded.shippedNote}\n`);
    try {
      const merged: PairPrediction = { ...pair, mechanisms: {} };
      for (const m of loaded.models) {
        const [p] = await m.model.predict([pair], { threshold: o.threshold, signal: ctx.signal });
        for (const mech of m.use) merged.mechanisms[mech] = p.mechanisms[mech];
      }
      const health = predictionHealth([merged]);
      if (o.json) {
        ctx.out.write(JSON.stringify(health.learned ? merged : { ...merged, warning: health.message }, null, 2) + '\n');
        return 0;
      }
      const ansi = !!(ctx.out as { isTTY?: boolean }).isTTY && !process.env.NO_COLOR;
      for (const mech of loaded.mechanisms) {
        const p = merged.mechanisms[mech]!;
        const probs = p.probs.map((x, i) => `${LEVELS[i]} ${x.toFixed(2)}`).join(' · ');
        ctx.out.write(`${mech} ${NAMES[mech]}: level ${p.level} (${LEVELS[p.level]})   [${probs}]${p.truncated ? '   (response truncated at max_len)' : ''}\n`);
        ctx.out.write(`   ${p.spans.length > 0 ? highlight(pair.responsePost, p, ansi) : '(no rationale)'}\n`);
      }
      if (!health.learned) ctx.out.write(`warning: ${health.message}\n`);
      return 0;
    } finally {
      loaded.dispose();
    }
  },
};
