// `empathy train`'s Args block, from its one owner (kernel/cli/trainBanner.ts): the family's own lines
// between train.py's header and the data, validation, test and model lines.
import { strict as assert } from 'node:assert';
import { trainBannerLines } from '../../kernel/cli/trainBanner';
import { requireFamily } from '../../kernel/models/families';

const ER_FILE = { file: 'emotional-reactions-reddit.csv', mechanism: 'ER' as const, rows: 12, format: 'raw' };

describe('cli: the train Args banner', () => {
  it('a family with sizes: its own lines, then the data and the model at its size', () => {
    const spec = requireFamily('bi-encoder');
    const used = spec.effective({ preset: 'tiny', epochs: 1 });
    const lines = trainBannerLines({ spec, used, trainFiles: [ER_FILE], doValidation: true, doTest: false, model: 'bi-encoder', family: 'bi-encoder', mechanisms: ['ER'] });
    assert.equal(lines[0], '=====================Args====================');
    assert.deepEqual(lines.slice(1, -5), spec.banner(used));
    assert.equal(lines[1], 'lr =  2e-05');
    assert.deepEqual(lines.slice(-5), [
      'train_path =  emotional-reactions-reddit.csv (ER, raw, 12 rows)',
      'do_validation =  True',
      'do_test =  False',
      'model =  bi-encoder (preset tiny); mechanisms =  ER',
      '=============================================',
    ]);
  });

  it('a family without sizes names the family, and --limit the pairs kept', () => {
    const spec = requireFamily('linear');
    const lines = trainBannerLines({ spec, used: spec.effective({}), trainFiles: [ER_FILE], doValidation: false, doTest: true, model: 'linear', family: 'linear', mechanisms: ['ER', 'IP'], limitedTo: 5 });
    assert.deepEqual(lines.slice(1, 2), ['linear: TF-IDF logistic regression, C by grouped CV']);
    assert.equal(lines.at(-4), 'do_validation =  False');
    assert.equal(lines.at(-3), 'do_test =  True');
    assert.equal(lines.at(-2), 'model =  linear (linear); mechanisms =  ER, IP; first 5 pairs');
  });
});
