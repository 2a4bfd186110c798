// Sentence and clause segmentation of word tokens (the tagger's rationale head pools over both).
import * as assert from 'node:assert/strict';
import { segmentTokens } from '../../kernel/models/text/segments';
import { wordTokens } from '../../dataset/wordTokenizer';

const seg = (text: string) => {
  const { tokens } = wordTokens(text);
  const s = segmentTokens(text, tokens);
  return { words: tokens.map((t) => t.text), sentence: Array.from(s.sentence), clause: Array.from(s.clause) };
};

describe('models/text/segments', () => {
  it('a sentence ends after . ! ? (a run of them counts once); punctuation stays with its sentence', () => {
    const s = seg("I'm sorry!! Have you tried talking to them? It helps...");
    assert.deepEqual(s.words, ["I'm", 'sorry', '!', '!', 'Have', 'you', 'tried', 'talking', 'to', 'them', '?', 'It', 'helps', '.', '.', '.']);
    assert.deepEqual(s.sentence, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it('a clause also ends after , ; : and dashes; a line break ends both', () => {
    const s = seg('Honestly, that sucks; hang in there\nyou got this — really');
    assert.deepEqual(s.clause, [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4]);
    assert.deepEqual(s.sentence, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('no tokens, no segments', () => {
    assert.deepEqual(seg('   '), { words: [], sentence: [], clause: [] });
  });
});
