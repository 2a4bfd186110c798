// What the Rationale Inspector asks the kernel when it scores a pair: the generated cell (predictions, and
// per-mechanism salience when the model offers `salience`), and how its displays become one `scored` item.
// No 'vscode' import: the query and the merge are tested headless against a real kernel session. The
// model's health ("has not learned yet") is judged in the kernel (empathy.predictionHealth): the extension
// reaches the kernel only through its process and protocol (the layer rule).
import type { Mechanism, MimeBundle, RationalesPayload } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { HOST_JSON, lit } from '../kernelQuery';

type Item = RationalesPayload['items'][number];

/** Salience per mechanism, one value in [0, 1] per predicted token (EmpathyModel.salience). */
export type SalienceByMechanism = Partial<Record<Mechanism, number[]>>;

/** The kernel's answer: the rationales item and, when asked and supported, salience (or why there is none). */
export interface ScoreAnswer {
  item: Item;
  maxLen?: number;
  salience?: SalienceByMechanism;
  /** Why salience is missing although it was asked for (the model has no `salience`, or it failed). */
  salienceNote?: string;
  /** "this model has not learned yet (…)": near-uniform level probabilities (kernel/metrics/health.ts). */
  healthNote?: string;
}

/** Code for the tools kernel: score `pair` with `globalThis.__inspectorModel`, its health; salience per mechanism if asked. */
export function scoreCode(pair: { id: string; seekerPost: string; responsePost: string }, salience: boolean): string {
  const lines = [
    '{',
    'const model = globalThis.__inspectorModel;',
    `const pair = ${lit(pair)};`,
    'const preds = await empathy.predict(model, [pair]);',
    'display.rationales(preds, { maxLen: model.maxLen });',
    'const answer = {};',
    'const health = empathy.predictionHealth(preds);',
    'if (!health.learned) answer.health = health.message;',
  ];
  if (salience) {
    lines.push(
      "if (typeof model.salience !== 'function') answer.note = `the ${model.family} model offers no salience`;",
      'else {',
      '  answer.salience = {};',
      '  try { for (const m of model.mechanisms) answer.salience[m] = await model.salience(pair, m); }',
      '  catch (e) { answer.salience = undefined; answer.note = `salience failed: ${e?.message ?? e}`; }',
      '}',
    );
  }
  lines.push(`display.bundle({ 'text/plain': 'inspector answer', ${lit(HOST_JSON)}: answer });`, '}');
  return lines.join('\n');
}

/** Token salience into a copy of the item, per mechanism whose vector matches its tokens one to one. */
export function withSalience(item: Item, salience: SalienceByMechanism): Item {
  const mechanisms: Item['mechanisms'] = {};
  for (const [m, mp] of Object.entries(item.mechanisms) as Array<[Mechanism, NonNullable<Item['mechanisms'][Mechanism]>]>) {
    const s = salience[m];
    mechanisms[m] = s && s.length === mp.tokens.length ? { ...mp, tokens: mp.tokens.map((t, i) => ({ ...t, salience: s[i] })) } : mp;
  }
  return { ...item, mechanisms };
}

/** The answer from the displays of `scoreCode` (throws when the rationales are missing). */
export function scoreAnswer(bundles: readonly MimeBundle[]): ScoreAnswer {
  const r = bundles.find((b) => b[MIME.rationales] !== undefined)?.[MIME.rationales] as RationalesPayload | undefined;
  if (!r?.items?.[0]) throw new Error('the kernel displayed no rationales for the pair');
  const s = bundles.find((b) => b[HOST_JSON] !== undefined)?.[HOST_JSON] as { salience?: SalienceByMechanism; note?: string; health?: string } | undefined;
  const item = s?.salience ? withSalience(r.items[0], s.salience) : r.items[0];
  return { item, maxLen: r.maxLen, ...(s?.salience ? { salience: s.salience } : {}), ...(s?.note ? { salienceNote: s.note } : {}), ...(s?.health ? { healthNote: s.health } : {}) };
}
