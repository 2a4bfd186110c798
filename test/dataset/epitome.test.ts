// Raw EPITOME loading, validation with line numbers, mechanism inference, joint merge, alignment.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEpitomeCsv, mechanismFromFileName, toLabeledPairs } from '../../dataset/epitome';
import { labelSpans, tokenLabels } from '../../dataset/align';
import { labelOf } from '../../dataset/label';

const header = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';
function tmpCsv(name: string, body: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-'));
  const f = path.join(dir, name);
  fs.writeFileSync(f, body);
  return f;
}

describe('dataset/epitome', () => {
  it('infers the mechanism from file names', () => {
    assert.equal(mechanismFromFileName('data/emotional-reactions-reddit.csv'), 'ER');
    assert.equal(mechanismFromFileName('interpretations-reddit.dev.csv'), 'IP');
    assert.equal(mechanismFromFileName('/x/explorations-sample.csv'), 'EX');
    assert.equal(mechanismFromFileName('sample_input_ER.csv'), 'ER');
    assert.equal(mechanismFromFileName('train_ip.csv'), 'IP');
    assert.equal(mechanismFromFileName('every.csv'), undefined);
    assert.equal(mechanismFromFileName('pairs.csv'), undefined);
  });

  it('loads rows, trims posts, splits rationales, and warns on rationales not found verbatim', async () => {
    const f = tmpCsv(
      'x_ER.csv',
      header + 's1,r1,"I feel lost.","  I am so sorry, that sounds hard.  ",2,I am so sorry|sounds hard|\n' + 's2,r2,Hi,"Have you tried  talking to them?",1,tried talking\n' + 's3,r3,Hey,Ok,0,\n',
    );
    const { rows, warnings, mechanism } = await loadEpitomeCsv(f);
    assert.equal(mechanism, 'ER');
    assert.equal(rows.length, 3);
    assert.equal(rows[0].response_post, 'I am so sorry, that sounds hard.');
    assert.deepEqual(rows[0].rationales, ['I am so sorry', 'sounds hard']);
    assert.deepEqual(
      rows.map((r) => r.line),
      [2, 3, 4],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /1 rationale\(s\) are not exact substrings.*1 matched ignoring whitespace, 0 not found/);
  });

  it('rejects a missing column, a bad level, an empty post, a ragged row — naming file and line', async () => {
    await assert.rejects(loadEpitomeCsv(tmpCsv('a.csv', 'sp_id,rp_id,seeker_post,response_post,rationales\n1,2,a,b,\n')), /a\.csv:1: missing column "level"/);
    await assert.rejects(loadEpitomeCsv(tmpCsv('b.csv', header + 's,r,a,b,0,\ns,r,a,b,3,\n')), /b\.csv:3: level must be 0, 1 or 2, found "3"/);
    await assert.rejects(loadEpitomeCsv(tmpCsv('c.csv', header + 's,r,a,"  ",0,\n')), /c\.csv:2: empty response_post/);
    await assert.rejects(loadEpitomeCsv(tmpCsv('d.csv', header + 's,r,a,b,c,0,\n')), /d\.csv:2: expected 6 fields like the header, found 7/);
    await assert.rejects(loadEpitomeCsv(tmpCsv('e.csv', header)), /e\.csv: no data rows/);
  });

  it('merges mechanism files by (sp_id, rp_id) for joint training', () => {
    const mk = (rp: string, level: 0 | 1 | 2) => ({ sp_id: 's', rp_id: rp, seeker_post: 'S', response_post: 'R ' + rp, ...labelOf('R ' + rp, level, []), line: 2 });
    const pairs = toLabeledPairs({ ER: [mk('a', 1), mk('b', 0)], EX: [mk('b', 2), mk('c', 1)] });
    assert.deepEqual(
      pairs.map((p) => [p.id, p.labels.ER?.level, p.labels.EX?.level]),
      [
        ['s_a', 1, undefined],
        ['s_b', 0, 2],
        ['s_c', undefined, 1],
      ],
    );
  });
});

describe('dataset/align', () => {
  it('locates rationales literally (regex characters are not special) and labels overlapping tokens', () => {
    const response = 'Wow (really?) that is hard. I am sorry.';
    const { spans, missed } = labelOf(response, 1, ['(really?)', 'I am sorry', 'not there']);
    assert.deepEqual(spans, [
      [4, 13],
      [28, 38],
    ]);
    assert.deepEqual(missed, ['not there']);
    // tokens: <s>, Wow, (really?), that, …, sorry., </s>
    const offsets: Array<[number, number]> = [[0, 0], [0, 3], [4, 13], [14, 18], [28, 29], [35, 39], [0, 0]];
    assert.deepEqual(tokenLabels(spans, offsets), [0, 0, 1, 0, 1, 1, 0]);
    assert.deepEqual(labelSpans([0, 0, 1, 0, 1, 1, 0], offsets), [
      [4, 13],
      [28, 39],
    ]);
  });

  it('falls back to whitespace-insensitive matching and takes the next occurrence of a repeat', () => {
    assert.deepEqual(labelOf('I hear you . You matter', 1, ['you. You']).spans, [[7, 16]]);
    assert.deepEqual(labelOf('so sad, so sad', 1, ['so sad', 'so sad']).spans, [[0, 6], [8, 14]]);
  });
});
