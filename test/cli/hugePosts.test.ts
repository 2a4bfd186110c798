// Huge posts and rows (issue 22, item 9): a CSV row over 10 MiB is one error naming file:line (no output,
// no temp file left); a post under it is scored from the part the model reads; a 50 MB post sent to the
// kernel's `score` query is answered (it once ended the kernel with V8's "invalid size" error).
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_CSV_RECORD_CHARS, parseCsv } from '../../dataset/csv';
import { MAX_POST_CHARS, readablePrefix } from '../../dataset/postLength';
import { BpeTokenizer } from '../../kernel/engine/tokenizer/bpe';
import { trainTokenizer } from '../../kernel/engine/tokenizer/trainBpe';
import { shippedModelPath } from '../../kernel/models/shipped';
import type { KernelEvent } from '../../kernel/protocol/kernel';
import type { QueryAnswer } from '../../kernel/protocol/query';
import { cli, fatalLines, REPO, tmpDir } from './spawn';

/** `chars` characters of a short sentence, repeated. */
const longText = (chars: number) => 'that sounds so hard, I am sorry. '.repeat(Math.ceil(chars / 33)).slice(0, chars);

describe('huge posts and rows', function () {
  this.timeout(300_000);
  const dir = tmpDir('empathy-huge-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('the part of a post a model reads', () => {
    it('readablePrefix cuts after the n-th word and at the character cap, never inside a surrogate pair', () => {
      assert.equal(readablePrefix('one two  three four', 2), 'one two');
      assert.equal(readablePrefix('  one two', 5), '  one two'); // nothing cut: the same string
      assert.equal(readablePrefix('abcdef', Infinity, 4), 'abcd');
      assert.equal(readablePrefix('ab\u{1F600}cd', Infinity, 3), 'ab'); // 😀 is two UTF-16 units
      const huge = 'x'.repeat(MAX_POST_CHARS * 3);
      assert.equal(readablePrefix(huge).length, MAX_POST_CHARS);
    });

    it('a BPE encoding of a long text is the encoding of the whole text (same tokens, offsets, truncation)', () => {
      const tok: BpeTokenizer = trainTokenizer(['that sounds so hard, I am sorry.', 'what happened after that?'], { vocabSize: 300, minFrequency: 1 });
      const text = longText(20_000);
      const whole = tok.tokenize(text); // every token of the text, no cut
      const enc = tok.encode(text, 64);
      assert.deepEqual(enc.ids.slice(1, -1), whole.ids.slice(0, 62));
      assert.deepEqual(enc.offsets.slice(1, -1), whole.offsets.slice(0, 62));
      assert.equal(enc.truncated, true);
      const short = tok.encode('that sounds so hard', 64);
      assert.equal(short.truncated, false);
    });
  });

  it('test: a CSV row over 10 MiB is one line naming file:line; no output and no temp file are left', () => {
    const f = path.join(dir, 'huge-row.csv');
    fs.writeFileSync(f, `id,seeker_post,response_post\n1,I failed my exam.,That is hard.\n2,I failed again.,"${longText(MAX_CSV_RECORD_CHARS + 1000)}"\n`);
    const out = path.join(dir, 'out', 'scored.csv');
    fs.mkdirSync(path.dirname(out));
    const r = cli(['test', '--input_path', f, '--output_path', out]);
    assert.equal(r.code, 1, r.stderr);
    const lines = fatalLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /huge-row\.csv:3: a CSV row longer than 10 MiB of text \(10,485,760 characters\) starts here/);
    assert.deepEqual(fs.readdirSync(path.dirname(out)), [], 'no output, no .tmp file');
  });

  it('test: a 3 MB post under the limit is scored from the part the model reads; the post is copied whole', () => {
    const f = path.join(dir, 'long-post.csv');
    const post = longText(3_000_000);
    fs.writeFileSync(f, `id,seeker_post,response_post\n1,I failed my exam.,"${post}"\n`);
    const out = path.join(dir, 'long-scored.csv');
    const r = cli(['test', '--input_path', f, '--output_path', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'), out);
    assert.equal(rows.length, 2);
    const col = (name: string) => rows[1][rows[0].indexOf(name)];
    assert.equal(col('response_post'), post);
    for (const m of ['ER', 'IP', 'EX']) assert.match(col(`${m}_label`), /^[012]$/, m);
  });

  it('the kernel answers a score query with a 50 MB post (and stays up for the next query)', async () => {
    const child = fork(path.join(REPO, 'out/kernel/process/main.js'), [], { cwd: REPO, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json', env: { ...process.env, EMPATHY_KERNEL_DEFAULTS: '{"typecheck":false}' } });
    const answers = new Map<string, (a: QueryAnswer) => void>();
    let exited: ((why: string) => void) | undefined;
    const gone = new Promise<never>((_, reject) => { exited = (why) => reject(new Error(`the kernel ended: ${why}`)); });
    child.on('exit', (code, sig) => exited?.(`code ${code}, signal ${sig}`));
    const hello = new Promise<void>((resolve) => child.on('message', (e: KernelEvent) => {
      if (e.type === 'hello') resolve();
      if (e.type === 'answer') answers.get(e.id)?.(e);
    }));
    const send = (msg: Record<string, unknown> & { id: string }) => Promise.race([gone, new Promise<QueryAnswer>((resolve) => { answers.set(msg.id, resolve); child.send(msg); })]);
    try {
      await Promise.race([gone, hello]);
      const load = await send({ type: 'query', v: 1, id: 'load', method: 'loadModel', args: { path: shippedModelPath() } });
      assert.ok(load.ok && load.method === 'loadModel', JSON.stringify(load));
      const pair = { id: 'huge', seekerPost: 'I failed my exam again.', responsePost: longText(50_000_000) };
      const scored = await send({ type: 'query', v: 1, id: 'score-huge', method: 'score', args: { handle: load.result.handle, pair, salience: false } });
      assert.ok(scored.ok && scored.method === 'score', JSON.stringify(scored).slice(0, 300));
      for (const m of load.result.mechanisms) {
        const got = scored.result.item.mechanisms[m]!;
        assert.ok([0, 1, 2].includes(got.level), `${m} level ${got.level}`);
        assert.ok(got.tokens.length <= load.result.maxLen, `${m}: ${got.tokens.length} tokens`);
      }
      const next = await send({ type: 'query', v: 1, id: 'score-small', method: 'score', args: { handle: load.result.handle, pair: { id: 'p', seekerPost: 'hi', responsePost: 'that is hard' }, salience: false } });
      assert.ok(next.ok, 'the kernel is still up');
    } finally {
      exited = undefined;
      child.kill();
    }
  });
});
