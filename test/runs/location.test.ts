// One runs folder per workspace: found from any folder inside it, and `runs compare` shows what differs
// between the configs of the runs it compares.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkspaceRoot, locateRunsDir, parseJsonc } from '../../kernel/runs/location';
import { configDiff, configDiffText, flattenConfig } from '../../kernel/runs/configDiff';
import { RunStore } from '../../kernel/runs/store';
import type { RunRecord } from '../../kernel/runs/run';
import { cli } from '../cli/spawn';

const noEnv = { env: {} };

describe('the workspace runs folder', () => {
  let base: string;
  beforeEach(() => { base = mkdtempSync(join(tmpdir(), 'empathy-runs-loc-')); });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const mk = (...parts: string[]) => { const p = join(base, ...parts); mkdirSync(p, { recursive: true }); return p; };

  it('walks up to the nearest folder with a package.json, .git or .vscode/', () => {
    const ws = mk('project');
    writeFileSync(join(ws, 'package.json'), '{}');
    const deep = mk('project', 'examples', 'notes');
    assert.equal(findWorkspaceRoot(deep, noEnv), ws);
    assert.equal(locateRunsDir(deep, noEnv).dir, join(ws, 'runs'));
    const other = mk('other', 'a');
    mk('other', '.vscode');
    assert.equal(locateRunsDir(other, noEnv).dir, join(base, 'other', 'runs'));
    mk('repo', '.git');
    assert.equal(locateRunsDir(mk('repo', 'src'), noEnv).dir, join(base, 'repo', 'runs'));
  });

  it('a runs/ folder holding recorded runs marks the workspace root; an empty one does not', () => {
    const ws = mk('notebooks');
    const inner = mk('notebooks', 'week1');
    mk('notebooks', 'week1', 'runs'); // empty: not a marker
    assert.equal(findWorkspaceRoot(inner, noEnv), undefined);
    new RunStore(join(ws, 'runs')).create({ label: 'x', source: 'test', family: 'linear', config: {}, seed: 1, data: [] });
    assert.equal(findWorkspaceRoot(inner, noEnv), ws);
    assert.equal(locateRunsDir(inner, noEnv).dir, join(ws, 'runs'));
  });

  it("the home folder's own .vscode/ (VS Code's extensions) is no workspace marker", () => {
    const home = mk('home');
    mk('home', '.vscode', 'extensions');
    const start = mk('home', 'scratch');
    assert.equal(findWorkspaceRoot(start, { env: {}, home }), undefined);
    assert.equal(locateRunsDir(start, { env: {}, home }).dir, join(start, 'runs'));
    assert.equal(findWorkspaceRoot(start, { env: {}, home: join(base, 'elsewhere') }), home);
  });

  it('empathy.runsFolder in the workspace settings (JSON with comments) names the folder', () => {
    const ws = mk('ws');
    mk('ws', '.vscode');
    writeFileSync(join(ws, '.vscode', 'settings.json'), '{\n  // where runs go\n  "empathy.runsFolder": "experiments/runs", /* trailing */\n}\n');
    assert.equal(locateRunsDir(mk('ws', 'a', 'b'), noEnv).dir, join(ws, 'experiments', 'runs'));
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'empathy.runsFolder': join(base, 'abs-runs') }));
    assert.equal(locateRunsDir(ws, noEnv).dir, join(base, 'abs-runs'));
  });

  it('EMPATHY_RUNS_DIR wins over the walk', () => {
    const ws = mk('p');
    writeFileSync(join(ws, 'package.json'), '{}');
    assert.equal(locateRunsDir(ws, { env: { EMPATHY_RUNS_DIR: join(base, 'set') } }).dir, join(base, 'set'));
    assert.equal(locateRunsDir(ws, { env: { EMPATHY_RUNS_DIR: '' } }).dir, join(ws, 'runs'));
  });

  it('parses VS Code settings: comments, trailing commas, "//" inside strings', () => {
    assert.deepEqual(parseJsonc('{ "a": "http://x", // c\n "b": [1, 2,], }'), { a: 'http://x', b: [1, 2] });
    assert.equal(parseJsonc('{ nope'), undefined);
  });

  it('`empathy runs list` from a subfolder finds the runs of the workspace root', () => {
    const ws = mk('cliws');
    writeFileSync(join(ws, 'package.json'), '{}');
    new RunStore(join(ws, 'runs')).create({ label: 'found-me', source: 'test', family: 'linear', config: {}, seed: 1, data: [] });
    const r = cli(['runs', 'list'], { cwd: mk('cliws', 'examples', 'deep'), env: { EMPATHY_RUNS_DIR: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /-found-me\s+linear\s+running/);
  });
});

describe('runs compare: config differences', () => {
  const run = (id: string, family: string, seed: number, config: Record<string, unknown>) =>
    ({ id, family, seed, config, metrics: {} }) as unknown as RunRecord;

  it('flattens nested configs into dotted keys', () => {
    assert.deepEqual(flattenConfig({ lr: 1, model: { encoder: { hidden: 64 } }, mechanisms: ['ER'] }),
      { lr: 1, 'model.encoder.hidden': 64, mechanisms: ['ER'] });
  });

  it('lists only the keys that differ, with each run\'s value (missing keys shown as absent)', () => {
    const a = run('a', 'bi-encoder', 12, { lr: 2e-5, epochs: 4, model: { encoder: { hidden: 256 } }, mechanisms: ['ER', 'IP'] });
    const b = run('b', 'bi-encoder', 12, { lr: 1e-3, epochs: 4, model: { encoder: { hidden: 256 } }, mechanisms: ['ER', 'IP'], batch_size: 8 });
    const d = configDiff([a, b]);
    assert.deepEqual(d.differences, [{ key: 'batch_size', values: [undefined, 8] }, { key: 'lr', values: [2e-5, 1e-3] }]);
    assert.equal(d.same, 5); // family, seed, epochs, model.encoder.hidden, mechanisms
    const text = configDiffText([a, b]);
    assert.match(text, /^lr\s+0\.00002\s+0\.001$/m);
    assert.match(text, /^batch_size\s+—\s+8$/m);
    assert.equal(configDiffText([a, a]), 'config: the same in every run (6 keys)');
  });
});
