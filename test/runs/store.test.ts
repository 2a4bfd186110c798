// Runs folder: a training recorded event by event reads back as a run, lists, and compares.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, runId, sha256File } from '../../kernel/runs/store';
import { comparisonTable, comparisonText, lossCurvePayload, runsPayload } from '../../kernel/payloads/runs';
import type { BackendInfo, EvalReport } from '../../kernel/engine/types';

const backend: BackendInfo = { name: 'cpu', device: 'CPU', detail: 'cpu (test)', skipped: [], chosenBy: 'flag' };

function fakeEval(macroF1: number): EvalReport {
  const rr = { tokenF1: 0.5, iouF1: 0.4 };
  return {
    loss: 0.9,
    mechanisms: {
      ER: {
        mechanism: 'ER', n: 10, accuracy: 0.7, macroF1, perClass: [], confusion: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        kappa: 0.3, kappaQuadratic: 0.4, rationale: { all: rr, positive: rr },
        paperFaithful: { batchSize: 32, accuracy: 0.7, macroF1, rationaleAccuracy: 0.8, rationaleMacroF1: 0.6, iouF1: 0.5 },
      },
    },
  };
}

describe('runs folder', () => {
  let root: string;
  let dataFile: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'empathy-runs-'));
    dataFile = join(root, 'train.csv');
    writeFileSync(dataFile, 'sp_id,rp_id,seeker_post,response_post,level,rationales\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('records config, data hashes, steps, epochs and final metrics', () => {
    const store = new RunStore(join(root, 'runs'));
    const rec = store.create({ label: 'ER small', source: 'test', family: 'bi-encoder', config: { lr: 2e-5, epochs: 1 }, seed: 12, data: [{ role: 'train', path: dataFile, rows: 0 }] });
    rec.onEvent({ type: 'start', v: 1, totalSteps: 2, stepsPerEpoch: 2, epochs: 1, examples: 4, backend, resumedFromStep: 0 });
    rec.onEvent({ type: 'step', v: 1, step: 1, epoch: 1, loss: 1.2, lossLevel: 1.0, lossRationale: 0.4, lr: 2e-5, gradNorm: 3, examplesPerSec: 10 });
    rec.onEvent({ type: 'step', v: 1, step: 2, epoch: 1, loss: 1.1, lossLevel: 0.9, lossRationale: 0.4, lr: 1e-5, gradNorm: 2, examplesPerSec: 10 });
    rec.onEvent({ type: 'epoch', v: 1, epoch: 1, step: 2, trainLoss: 1.15, dev: fakeEval(0.5) });
    const done = rec.finish({ dev: fakeEval(0.5), checkpointPath: join(root, 'm.ckpt'), steps: 2 });

    assert.equal(done.status, 'finished');
    const back = store.get(rec.id);
    assert.equal(back.backend?.name, 'cpu');
    assert.equal(back.data[0].sha256, sha256File(dataFile));
    assert.equal(back.metrics['dev.ER.macroF1'], 0.5);
    assert.equal(back.steps, 2);
    const events = store.events(rec.id);
    assert.deepEqual(events.map(e => e.kind), ['step', 'step', 'epoch']);

    const curve = lossCurvePayload([{ run: back, events }]);
    assert.equal(curve.runs[0].steps.length, 2);
    assert.equal(curve.runs[0].epochs[0].metrics['dev.ER.macroF1'], 0.5);
  });

  it('lists newest first, resolves id prefixes, and compares runs metric by metric', () => {
    // A fixed clock: the two runs are made 5 ms apart within one second, however loaded the machine.
    const clock = [new Date('2026-03-01T10:20:30.100Z'), new Date('2026-03-01T10:20:30.105Z')];
    const store = new RunStore(join(root, 'runs'), { now: () => clock.shift()! });
    const a = store.create({ label: 'a', source: 'test', family: 'linear', config: { C: 1 }, seed: 1, data: [] });
    a.finish({ dev: fakeEval(0.6) });
    const b = store.create({ label: 'b', source: 'test', family: 'linear', config: { C: 2 }, seed: 1, data: [] });
    b.finish({ dev: fakeEval(0.7) });
    assert.deepEqual([a.id, b.id], ['20260301-102030-a', '20260301-102030-b']);
    assert.equal(b.current.createdAt, '2026-03-01T10:20:30.105Z');

    const { runs, problems } = store.list();
    assert.deepEqual(problems, []);
    assert.deepEqual(runs.map(r => r.label), ['b', 'a']);
    assert.equal(store.get(b.id).label, 'b');
    assert.equal(store.get('20260301-102030-b').label, 'b');
    assert.throws(() => store.get('20260301-102030-'), /ambiguous/);
    assert.throws(() => store.get('nope'), /no run "nope"/);

    const table = comparisonTable(runs, n => n.endsWith('macroF1'));
    assert.deepEqual(table.rows.map(r => r.name), ['dev.ER.macroF1']);
    assert.deepEqual(table.rows[0].values, [0.7, 0.6]);
    assert.match(comparisonText(runs), /dev\.ER\.macroF1\s+0\.7000\s+0\.6000/);
    assert.equal(runsPayload(runs).runs[1].config.C, 1);
  });

  it('run ids are a pure function of clock and label; a taken id gets -2, -3', () => {
    const t = new Date('2026-12-31T23:59:59.999Z');
    assert.equal(runId(t, 'ER small (lr 2e-5)'), '20261231-235959-er-small-lr-2e-5');
    assert.equal(runId(t, '***'), '20261231-235959-run');
    const taken = new Set(['20261231-235959-x', '20261231-235959-x-2']);
    assert.equal(runId(t, 'x', (id) => taken.has(id)), '20261231-235959-x-3');
    // The store numbers a second run of the same label in the same second instead of reusing its folder.
    const store = new RunStore(join(root, 'runs'), { now: () => t });
    const first = store.create({ label: 'x', source: 'test', family: 'linear', config: {}, seed: 1, data: [] });
    const second = store.create({ label: 'x', source: 'test', family: 'linear', config: {}, seed: 1, data: [] });
    assert.deepEqual([first.id, second.id], ['20261231-235959-x', '20261231-235959-x-2']);
    assert.equal(store.list().runs.length, 2);
  });

  it('refuses a newer run format and names the file', () => {
    const store = new RunStore(join(root, 'runs'));
    const r = store.create({ label: 'x', source: 'test', family: 'linear', config: {}, seed: 1, data: [] });
    const file = join(store.root, r.id, 'run.json');
    const rec = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...rec, version: 99 }));
    assert.throws(() => store.get(r.id), /run\.json: run format version 99 is newer/);
    assert.match(store.list().problems[0], /newer/);
  });
});
