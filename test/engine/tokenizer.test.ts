// The project's byte-level BPE and the Hugging Face loader: determinism, round trips, offsets, truncation.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BpeTokenizer, loadHfTokenizer, tokenizerFromJSON, trainTokenizer } from '../../kernel/engine/tokenizer';

const corpus = [
  "I'm so sorry you're going through this. It sounds really hard.",
  'That must be awful, I hope things get better for you soon!',
  "Have you talked to anyone about how you're feeling?",
  'I understand, I went through the same thing last year 😢 and it got better.',
  'Sending hugs ❤️ — you are not alone. Café, naïve, 東京.',
  "It's okay to feel sad sometimes; what helped me was talking to friends.",
];

describe('engine/tokenizer: byte-level BPE', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 400 });

  it('uses RoBERTa specials and is deterministic', () => {
    assert.deepEqual(tok.vocab.slice(0, 4), ['<s>', '<pad>', '</s>', '<unk>']);
    assert.equal(tok.padId, 1);
    assert.ok(tok.vocabSize > 260 && tok.vocabSize <= 400, `vocab ${tok.vocabSize}`);
    const again = trainTokenizer(corpus, { vocabSize: 400 });
    assert.deepEqual(again.toJSON(), tok.toJSON());
    assert.ok(tok.merges.length > 20);
  });

  it('wraps in <s> … </s> and decodes back to the text', () => {
    for (const text of [...corpus, '', '   spaced   out  ', 'new\nlines\tand tabs']) {
      const e = tok.encode(text, 512);
      assert.equal(e.ids[0], 0);
      assert.equal(e.ids[e.ids.length - 1], 2);
      assert.equal(e.truncated, false);
      assert.equal(tok.decode(e.ids), text);
    }
  });

  it('gives offsets that map back to the exact substrings, emoji included', () => {
    const text = 'Sending hugs ❤️ 😢 — you are not alone. Café 東京!';
    const e = tok.encode(text, 512);
    assert.deepEqual(e.offsets[0], [0, 0]);
    assert.deepEqual(e.offsets[e.offsets.length - 1], [0, 0]);
    const inner = e.ids.slice(1, -1);
    const offs = e.offsets.slice(1, -1);
    assert.equal(inner.length, offs.length);
    let prevEnd = 0;
    inner.forEach((id, i) => {
      const [s, t] = offs[i];
      assert.ok(s >= 0 && t <= text.length && s <= t, `offset ${s},${t}`);
      assert.ok(s >= prevEnd || offs[i - 1][0] === s, 'offsets move forward (a split character shares its span)');
      prevEnd = t;
      const piece = text.slice(s, t);
      const decoded = tok.decode([id]);
      // A whole-character token decodes to its (whitespace-trimmed) substring; a partial-byte token sits inside one character.
      if (!decoded.includes('\uFFFD')) assert.equal(decoded.trim() || decoded, piece.trim() || piece);
      else assert.ok([...piece].length === 1, `partial-byte token covers one character, got ${JSON.stringify(piece)}`);
    });
    const emoji = text.indexOf('😢');
    assert.ok(offs.some(([s, t]) => s === emoji && t === emoji + 2), 'the emoji (2 UTF-16 units) is covered whole');
    assert.ok(offs.some(([s, t]) => text.slice(s, t) === 'you'), 'word tokens exclude their leading space');
  });

  it('truncates to max_len including the specials', () => {
    const text = corpus.join(' ');
    const full = tok.encode(text, 10_000);
    const e = tok.encode(text, 16);
    assert.equal(e.ids.length, 16);
    assert.equal(e.offsets.length, 16);
    assert.equal(e.truncated, true);
    assert.deepEqual(e.ids.slice(0, 15), full.ids.slice(0, 15));
    assert.equal(e.ids[15], 2);
    assert.equal(tok.encode('short', 16).truncated, false);
    assert.throws(() => tok.encode('x', 1), /max_len/);
  });

  it('round-trips through JSON', async () => {
    const json = JSON.parse(JSON.stringify(tok.toJSON()));
    const back = await tokenizerFromJSON(json);
    assert.ok(back instanceof BpeTokenizer);
    for (const text of corpus) assert.deepEqual(back.encode(text, 64), tok.encode(text, 64));
    await assert.rejects(tokenizerFromJSON({ kind: 'nope' }), /unknown tokenizer kind/);
  });
});

describe('engine/tokenizer: Hugging Face tokenizer.json', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 400 });
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hf-tok-'));
    const { tokenizerJson, tokenizerConfig } = tok.toHuggingFace();
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads locally with transformers.js and agrees with our BPE on ids and offsets', async () => {
    const hf = await loadHfTokenizer(dir);
    assert.equal(hf.kind, 'hf');
    assert.equal(hf.padId, 1);
    for (const text of [...corpus, 'Sending hugs ❤️ 😢 — Café 東京!']) {
      const a = hf.encode(text, 64);
      const b = tok.encode(text, 64);
      assert.deepEqual(a.ids, b.ids, text);
      assert.deepEqual(a.offsets, b.offsets, text);
      assert.equal(a.truncated, b.truncated);
    }
    const restored = await tokenizerFromJSON(JSON.parse(JSON.stringify(hf.toJSON())));
    assert.deepEqual(restored.encode(corpus[0], 64), hf.encode(corpus[0], 64));
  });

  it('maps an added token written in the text (e.g. </s>) to its literal span', async () => {
    const hf = await loadHfTokenizer(dir);
    const text = 'I hope </s> it helps 😢';
    const e = hf.encode(text, 64);
    const pieces = e.offsets.slice(1, -1).map(([s, t]) => text.slice(s, t));
    assert.ok(pieces.includes('</s>'), JSON.stringify(pieces));
    assert.equal(e.ids.filter((id) => id === 2).length, 2, 'the literal </s> and the closing one');
    assert.ok(pieces.includes('😢'));
  });

  it('names the path when tokenizer.json is missing', async () => {
    await assert.rejects(loadHfTokenizer(path.join(dir, 'nowhere')), /nowhere/);
  });
});
