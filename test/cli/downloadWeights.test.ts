// `empathy download-weights` and `train --init_weights MODEL_ID` from the command line, against a loopback
// server that answers like the Hugging Face hub (test/support/fakeHub.ts): what it prints, the one-line
// errors (unknown repo, missing required file, offline), Ctrl-C keeping a resumable .incomplete, and a
// training run that starts from the cache the download wrote. No test touches the network.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../kernel/cli/main';
import { cacheRepo } from '../../kernel/engine/hfCache';
import { COMMIT, FakeHub, sha256 } from '../support/fakeHub';
import { tinyRoberta } from '../engine/tinyRoberta';
import { cli, fatalLines, SAMPLES, tmpDir } from './spawn';

const REPO = 'tiny-org/tiny-roberta';

/** A stream that keeps what is written and can react to it. */
class Capture extends Writable {
  text = '';
  onText?: (all: string) => void;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.onText?.(this.text);
    done();
  }
}

/** `empathy ARGS` in this process, with the hub's environment variables set for the call only. */
async function run(args: string[], env: Record<string, string>, opts: { signal?: AbortSignal; err?: Capture } = {}) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const out = new Capture();
  const err = opts.err ?? new Capture();
  try {
    const code = await main(args, { out, err, tty: false, signal: opts.signal ?? new AbortController().signal });
    return { code, stdout: out.text, stderr: err.text, fatal: err.text.split('\n').filter((l) => l.startsWith('empathy: ')) };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('cli: download-weights', function () {
  this.timeout(120_000);
  const model = tinyRoberta();
  let hub: FakeHub;
  let dir = '';
  let env: Record<string, string> = {};
  beforeEach(async () => {
    hub = await new FakeHub(REPO, model.files).start();
    dir = tmpDir('empathy-hf-');
    env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: path.join(dir, 'hub') };
  });
  afterEach(async () => {
    await hub.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fetches into the cache, says what it skipped and how to use the result', async () => {
    const r = await run(['download-weights', REPO], env);
    assert.equal(r.code, 0, r.stderr);
    const snapshot = cacheRepo(REPO, env.HF_HUB_CACHE).snapshot(COMMIT);
    assert.equal(r.stdout, `${REPO} @ ${COMMIT}: 4 files (4 fetched, 129 kB) in ${snapshot}\nuse it with: --init_weights ${REPO}\n`);
    assert.match(r.stderr, /^tiny-org\/tiny-roberta@main from http:\/\/127\.0\.0\.1:\d+ → .*\/hub\n/);
    assert.match(r.stderr, /model\.safetensors: 125 kB\/125 kB in \d+:\d\d \([\d.]+ [kMG]?B\/s\)\n/, 'the progress bar ends with the totals');
    for (const f of ['vocab.json', 'merges.txt', 'special_tokens_map.json']) assert.ok(r.stderr.includes(`${f}: not in ${REPO} (optional, skipped)\n`), f);
    const again = await run(['download-weights', REPO], env);
    assert.match(again.stdout, /: 4 files \(0 fetched, 0 B\)/);
    assert.match(again.stderr, /model\.safetensors: already there \(125 kB, verified\)/);
  });

  it('is listed in empathy --help and has its own --help naming the environment it reads', async () => {
    const top = await run(['--help'], {});
    assert.match(top.stdout, /\n  download-weights +fetch a pretrained model \(e\.g\. roberta-base\) from the Hugging Face hub into its cache\n/);
    const own = await run(['download-weights', '--help'], {});
    assert.equal(own.code, 0);
    for (const w of ['usage: empathy download-weights MODEL_ID [--to DIR] [--revision REV]', '$HF_ENDPOINT', '$HF_HUB_CACHE', '$HF_HOME/hub', '--init_weights MODEL_ID']) assert.ok(own.stdout.includes(w), w);
  });

  it('an unknown repository, a missing required file, no network and no model id are each one line', async () => {
    const unknown = await run(['download-weights', 'nobody/nothing'], env);
    assert.equal(unknown.code, 1);
    assert.deepEqual(unknown.fatal, ['empathy: nobody/nothing@main: config.json: HTTP 401 repository not found, or private/gated (download-weights sends no token)']);

    const noConfig = new Map(model.files);
    noConfig.delete('config.json');
    const bare = await new FakeHub(REPO, noConfig).start();
    try {
      const missing = await run(['download-weights', REPO], { ...env, HF_ENDPOINT: bare.endpoint });
      assert.equal(missing.code, 1);
      assert.deepEqual(missing.fatal, [`empathy: ${REPO}@main: config.json: HTTP 404 no such file in the repository`]);
    } finally {
      await bare.stop();
    }

    const srv = net.createServer(); // a port nothing listens on: bind one, then close it
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((ok) => srv.close(() => ok()));
    const offline = await run(['download-weights', REPO, '--timeout', '5'], { ...env, HF_ENDPOINT: `http://127.0.0.1:${port}` });
    assert.equal(offline.code, 1);
    assert.deepEqual(offline.fatal, [`empathy: cannot reach 127.0.0.1:${port} (ECONNREFUSED): no network? download-weights needs internet access (or a mirror in HF_ENDPOINT); otherwise copy the model folder by hand and pass it as a path`]);
    assert.equal(fs.existsSync(env.HF_HUB_CACHE), false, 'nothing written');

    const usage = await run(['download-weights'], env);
    assert.equal(usage.code, 2);
    assert.deepEqual(usage.fatal, ['empathy: download-weights needs one MODEL_ID (e.g. empathy download-weights roberta-base)']);
  });

  it('Ctrl-C mid-transfer stops with exit 130, keeps the .incomplete file, and the next run resumes it', async () => {
    hub.faults.set('model.safetensors', { stallAfter: 60_000 });
    const ctrlC = new AbortController();
    const err = new Capture();
    err.onText = (t) => { if (/model\.safetensors 0 B\/125 kB/.test(t) && !ctrlC.signal.aborted) ctrlC.abort(new Error('interrupted')); };
    const r = await run(['download-weights', REPO], env, { signal: ctrlC.signal, err });
    assert.equal(r.code, 130);
    assert.equal(r.fatal.length, 1);
    assert.match(r.fatal[0], /^empathy: interrupted \(tiny-org\/tiny-roberta: model\.safetensors: stopped at \d+ of 124592 bytes, kept in .*\.incomplete; run the same command again to resume\)$/);
    const blob = cacheRepo(REPO, env.HF_HUB_CACHE).blob(sha256(model.files.get('model.safetensors')!.content));
    assert.ok(fs.existsSync(`${blob}.incomplete`), 'the partial file stays for the next run');
    assert.equal(fs.existsSync(blob), false);
    const resumed = await run(['download-weights', REPO], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(sha256(fs.readFileSync(blob)), sha256(model.files.get('model.safetensors')!.content));
  });

  it('train --init_weights MODEL_ID starts from the download (stats --tokenizer MODEL_ID reads it too); a model id not in the cache is one line before any work', async () => {
    assert.equal((await run(['download-weights', REPO], env)).code, 0);
    const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
    const common = ['train', '--train_path', ER, '--preset', 'tiny', '--backend', 'cpu', '--epochs', '1', '--limit', '8', '--batch_size', '8', '--max_len', '32', '--no_run'];
    const ok = cli([...common, '--init_weights', REPO], { env: { HF_HUB_CACHE: env.HF_HUB_CACHE, HF_ENDPOINT: 'http://127.0.0.1:1' } });
    assert.equal(ok.code, 0, ok.stderr);
    const missing = cli([...common, '--init_weights', 'roberta-base'], { env: { HF_HUB_CACHE: env.HF_HUB_CACHE } });
    assert.equal(missing.code, 1);
    assert.deepEqual(fatalLines(missing), [
      `empathy: --init_weights roberta-base: not a folder here, and not in the Hugging Face cache (looked for ${path.join(env.HF_HUB_CACHE, 'models--roberta-base', 'refs', 'main')}; cache ${env.HF_HUB_CACHE} from HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub); fetch it with: empathy download-weights roberta-base`,
    ]);
    assert.equal(missing.stdout, '', 'nothing started');
    const stats = cli(['stats', '--input_path', ER, '--tokenizer', REPO], { env: { HF_HUB_CACHE: env.HF_HUB_CACHE } });
    assert.equal(stats.code, 0, stats.stderr);
    assert.ok(stats.stdout.includes(`tokens: hf tokenizer.json (${REPO}: ${cacheRepo(REPO, env.HF_HUB_CACHE).snapshot(COMMIT)})`), 'the data commands take a model id for --tokenizer too');
  });
});
