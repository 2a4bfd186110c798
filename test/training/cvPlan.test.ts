// `cv` trains each fold through the one plan `train` makes (planFor): --config's train.py-named fields are
// translated for the family and the ones it does not use are noted, never silently dropped.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../kernel/cli/main';

const repo = path.resolve(__dirname, '../../..');
const ER = path.join(repo, 'dataset', 'samples', 'emotional-reactions-sample.csv');

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const text = { out: '', err: '' };
  const out = new PassThrough().on('data', (d) => { text.out += String(d); });
  const err = new PassThrough().on('data', (d) => { text.err += String(d); });
  const code = await main(argv, { out, err, cwd: repo, tty: false });
  return { code, stdout: text.out, stderr: text.err };
}

describe('training: cv through the plan', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-cv-plan-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('cv --config translates seed_val for the linear model and notes epochs and a field it does not know', async () => {
    const config = path.join(dir, 'cfg.json');
    fs.writeFileSync(config, JSON.stringify({ seed_val: 5, epochs: 3, nonsense: 1 }));
    const json = path.join(dir, 'cv.json');
    const r = await cli(['cv', '--data', ER, '--model', 'linear', '--folds', '2', '--config', config, '--json', json]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: --config epochs does not apply to the linear model$/m);
    assert.match(r.stderr, /^note: --config nonsense is not a setting of the linear model: ignored$/m);
    const written = JSON.parse(fs.readFileSync(json, 'utf8')) as { config: Record<string, unknown> };
    assert.equal(written.config.seed, 5, 'seed_val became the linear model\'s seed');
    assert.equal(written.config.seed_val, undefined);
    assert.equal(written.config.epochs, undefined);
    assert.deepEqual(written.config.mechanisms, ['ER']);
  });
});
