// download-weights against a loopback server that answers like the Hugging Face hub (test/support/fakeHub.ts):
// the cache layout it writes, the redirects it follows, a transfer cut off and resumed with Range, a wrong
// sha256 refused, optional files skipped, a plain folder with --to; then `init_weights` given as a model id
// finds the download in the cache and a short training run starts from it. No test touches the network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { downloadWeights } from '../../kernel/engine/hfDownload';
import { cacheRepo, resolvePretrained } from '../../kernel/engine/hfCache';
import { train, type BiEncoderModel } from '../../kernel/models';
import { COMMIT, FakeHub, gitBlobSha1, sha256 } from '../support/fakeHub';
import { withEnv } from '../support/withEnv';
import { skipBecause } from '../support/skip';
import { tinyRoberta } from './tinyRoberta';
import { toyConfig, toyPairs } from './toyData';

const REPO = 'tiny-org/tiny-roberta';

describe('engine/hfDownload: download-weights against a loopback hub', function () {
  this.timeout(60_000);
  const model = tinyRoberta();
  const weights = model.files.get('model.safetensors')!.content;
  let hub: FakeHub;
  let dir = '';
  beforeEach(async () => {
    hub = await new FakeHub(REPO, model.files).start();
    dir = fs.mkdtempSync(path.join(tmpdir(), 'hf-download-'));
  });
  afterEach(async () => {
    await hub.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cache = () => path.join(dir, 'hub');
  const fetchInto = (extra: Parameters<typeof downloadWeights>[1] = {}) => downloadWeights(REPO, { endpoint: hub.endpoint, cacheDir: cache(), timeoutMs: 10_000, ...extra });

  it('writes the hub cache layout: blobs named by ETag, relative snapshot symlinks, refs/main → the commit', async () => {
    const res = await fetchInto();
    assert.equal(res.commit, COMMIT);
    const repo = cacheRepo(REPO, cache());
    assert.equal(repo.dir, path.join(cache(), 'models--tiny-org--tiny-roberta'));
    assert.equal(fs.readFileSync(repo.ref('main'), 'utf8'), COMMIT);
    assert.equal(res.folder, repo.snapshot(COMMIT));
    assert.deepEqual(res.files.map((f) => f.file), ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']);
    assert.deepEqual(res.skipped, ['vocab.json', 'merges.txt', 'special_tokens_map.json'], 'optional files the repo lacks are skipped');
    for (const [file, spec] of model.files) {
      const etag = spec.lfs ? sha256(spec.content) : gitBlobSha1(spec.content); // what the hub publishes for each kind
      const link = path.join(res.folder, file);
      assert.equal(fs.readlinkSync(link), path.join('..', '..', 'blobs', etag), `${file} links to its blob, relatively`);
      assert.deepEqual(new Uint8Array(fs.readFileSync(link)), spec.content, file);
    }
    assert.deepEqual(fs.readdirSync(path.join(repo.dir, 'blobs')).filter((f) => f.endsWith('.incomplete')), []);
  });

  it('follows the relative 307 for small files and the 302 to the CDN host for LFS files; a second run fetches nothing', async () => {
    await fetchInto();
    const heads = hub.log.filter((l) => l.method === 'HEAD');
    assert.ok(heads.some((l) => l.url.startsWith('/api/resolve-cache/models/tiny-org/tiny-roberta/')), 'relative redirect followed');
    assert.ok(heads.every((l) => l.server === 'hub'), 'HEAD stops at the absolute (CDN) redirect');
    assert.deepEqual(hub.log.filter((l) => l.server === 'cdn').map((l) => `${l.method} ${l.range ?? 'whole'}`), ['GET whole']);
    assert.ok(hub.log.filter((l) => l.method === 'HEAD').slice(1).every((l) => l.url.includes(COMMIT)), 'files after the first are asked at its commit');
    hub.log.length = 0;
    const again = await fetchInto();
    assert.ok(again.files.every((f) => f.cached));
    assert.deepEqual(hub.log.filter((l) => l.method === 'GET'), [], 'nothing transferred again');
  });

  it('a transfer cut off mid-body keeps the .incomplete file; the next run resumes it with Range and checks the whole file', async () => {
    hub.faults.set('model.safetensors', { cutAfter: 50_000 });
    await assert.rejects(fetchInto(), /tiny-org\/tiny-roberta: model\.safetensors: the transfer broke off .*at 50000 of 124592 bytes, kept in .*\.incomplete; run the same command again to resume/);
    const blob = cacheRepo(REPO, cache()).blob(sha256(weights));
    assert.equal(fs.existsSync(blob), false, 'no blob before the whole file is there');
    assert.equal(fs.statSync(`${blob}.incomplete`).size, 50_000);
    assert.equal(fs.existsSync(cacheRepo(REPO, cache()).ref('main')), false);
    hub.log.length = 0;
    await fetchInto();
    assert.deepEqual(hub.log.filter((l) => l.server === 'cdn').map((l) => l.range), ['bytes=50000-']);
    assert.equal(sha256(fs.readFileSync(blob)), sha256(weights));
    assert.equal(fs.existsSync(`${blob}.incomplete`), false);
  });

  it('a server that ignores Range sends the whole file again: the file restarts and still verifies', async () => {
    hub.faults.set('model.safetensors', { cutAfter: 30_000, ignoreRange: true });
    await assert.rejects(fetchInto(), /broke off/);
    hub.log.length = 0;
    await fetchInto();
    assert.deepEqual(hub.log.filter((l) => l.server === 'cdn').map((l) => l.range), ['bytes=30000-'], 'asked to resume');
    assert.equal(sha256(fs.readFileSync(cacheRepo(REPO, cache()).blob(sha256(weights)))), sha256(weights), 'whole, not 30000 bytes twice');
  });

  it('one writer per .incomplete: a live process holding the lock is named; a lock left by a gone process is taken over', async () => {
    const blob = cacheRepo(REPO, cache()).blob(sha256(weights));
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(`${blob}.incomplete.lock`, String(process.ppid)); // a live process that is not this one
    await assert.rejects(fetchInto(), new RegExp(`model\\.safetensors: another download \\(process ${process.ppid}\\) is writing .*\\.incomplete`));
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid names no live process
    fs.writeFileSync(`${blob}.incomplete.lock`, String(gone));
    await fetchInto();
    assert.equal(sha256(fs.readFileSync(blob)), sha256(weights));
    assert.equal(fs.existsSync(`${blob}.incomplete.lock`), false, 'released');
  });

  it('a full disk is named as such (not as a network failure), and nothing is published', async function () {
    if (!fs.existsSync('/dev/full')) skipBecause(this, 'no /dev/full on this system (Linux only)');
    const blob = cacheRepo(REPO, cache()).blob(sha256(weights));
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.symlinkSync('/dev/full', `${blob}.incomplete`); // every write fails with ENOSPC
    await assert.rejects(fetchInto(), /model\.safetensors: cannot write .*\.incomplete \(ENOSPC: no space left on device.*\) at 0 of 124592 bytes; free the space and run the same command again to resume/);
    assert.equal(fs.existsSync(blob), false);
    assert.equal(fs.existsSync(path.join(cacheRepo(REPO, cache()).snapshot(COMMIT), 'model.safetensors')), false);
  });

  it('HF_HUB_OFFLINE=1 refuses before any request', async () => {
    await withEnv('HF_HUB_OFFLINE', '1', async () => {
      await assert.rejects(fetchInto(), /^Error: HF_HUB_OFFLINE is set: download-weights would have to reach the hub for tiny-org\/tiny-roberta; unset it to download$/);
    });
    assert.deepEqual(hub.log, []);
  });

  it('bytes that do not match the published sha256 are refused and removed', async () => {
    hub.faults.set('model.safetensors', { corrupt: true });
    await assert.rejects(fetchInto(), new RegExp(`model\\.safetensors: hash mismatch \\(got [0-9a-f]{64}, the hub publishes ${sha256(weights)}\\); the file was refused and removed`));
    const repo = cacheRepo(REPO, cache());
    assert.deepEqual(fs.readdirSync(path.join(repo.dir, 'blobs')).filter((f) => f.startsWith(sha256(weights))), [], 'neither blob nor .incomplete');
    assert.equal(fs.existsSync(path.join(repo.snapshot(COMMIT), 'model.safetensors')), false);
  });

  it('an ETag that is not a hash (it would name a file on disk, and nothing could check the bytes) is refused before any transfer', async () => {
    hub.faults.set('config.json', { etag: '../../../escape' });
    await assert.rejects(fetchInto(), /config\.json: ETag "\.\.\/\.\.\/\.\.\/escape" is neither a sha256 nor a git sha1/);
    assert.equal(fs.existsSync(cache()), false, 'nothing written');
    assert.deepEqual(hub.log.filter((l) => l.method === 'GET'), []);
  });

  it('a missing required file fails; without model.safetensors it takes pytorch_model.bin', async () => {
    const noConfig = new Map(model.files);
    noConfig.delete('config.json');
    const bare = await new FakeHub(REPO, noConfig).start();
    try {
      await assert.rejects(downloadWeights(REPO, { endpoint: bare.endpoint, cacheDir: cache() }), /^HubError: tiny-org\/tiny-roberta@main: config\.json: HTTP 404 no such file in the repository$/);
    } finally {
      await bare.stop();
    }
    const binOnly = new Map(model.files);
    binOnly.delete('model.safetensors');
    binOnly.set('pytorch_model.bin', { content: new Uint8Array([80, 75, 3, 4, 1, 2, 3]), lfs: true });
    const old = await new FakeHub(REPO, binOnly).start();
    try {
      const res = await downloadWeights(REPO, { endpoint: old.endpoint, cacheDir: cache() });
      assert.deepEqual(res.files.map((f) => f.file).slice(-1), ['pytorch_model.bin']);
    } finally {
      await old.stop();
    }
  });

  it('--to DIR writes a plain folder (no links, no staging left); a second run checks the hashes and fetches nothing', async () => {
    const to = path.join(dir, 'plain');
    const res = await fetchInto({ to });
    assert.equal(res.folder, to);
    assert.deepEqual(fs.readdirSync(to).sort(), [...model.files.keys()].sort());
    for (const [file, spec] of model.files) {
      assert.ok(fs.lstatSync(path.join(to, file)).isFile(), file);
      assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(to, file))), spec.content);
    }
    assert.equal(fs.existsSync(cache()), false, 'the cache is not touched');
    fs.writeFileSync(path.join(to, 'config.json'), fs.readFileSync(path.join(to, 'config.json'), 'utf8').replace('roberta', 'rOberta')); // same size, other bytes
    hub.log.length = 0;
    const again = await fetchInto({ to });
    assert.deepEqual(again.files.filter((f) => !f.cached).map((f) => f.file), ['config.json'], 'only the changed file is fetched again');
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(to, 'config.json'))), model.files.get('config.json')!.content);
  });

  it('init_weights given as a model id resolves through refs/main to the snapshot, and a short training run starts from it', async () => {
    await fetchInto();
    await withEnv('HF_HUB_CACHE', cache(), async () => {
      assert.equal(resolvePretrained(REPO, 'init_weights'), cacheRepo(REPO, cache()).snapshot(COMMIT));
      assert.equal(resolvePretrained(`${REPO}@${COMMIT}`, 'init_weights'), cacheRepo(REPO, cache()).snapshot(COMMIT));
      const { model: trained } = await train({ ...toyConfig, init_weights: REPO, lr: 1e-12, epochs: 1 }, { train: toyPairs(16) });
      try {
        const m = trained as BiEncoderModel;
        assert.equal(m.tokenizer.kind, 'hf', 'the tokenizer comes from the snapshot');
        const want = model.tensors.get('roberta.encoder.layer.1.output.dense.weight')!.data as Float32Array;
        for (const side of ['seeker_encoder', 'responder_encoder']) {
          const got = m.net.stateDict().get(`${side}.roberta.encoder.layer.1.output.dense.weight`)!.data as Float32Array; // the seeker may be host-kept
          want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-6, `${side}[${i}]`));
        }
      } finally {
        trained.dispose();
      }
    });
  });

  it('a model id not in the cache: one line naming the flag, where it looked and the command that fetches it', () => {
    assert.throws(
      () => resolvePretrained('roberta-base', 'init_weights', cache()),
      (e: Error) => {
        assert.equal(e.message.split('\n').length, 1);
        assert.ok(e.message.startsWith('--init_weights roberta-base: not a folder here, and not in the Hugging Face cache'), e.message);
        assert.ok(e.message.includes(path.join(cache(), 'models--roberta-base', 'refs', 'main')), e.message);
        assert.ok(e.message.endsWith('fetch it with: empathy download-weights roberta-base'), e.message);
        return true;
      },
    );
    assert.throws(() => resolvePretrained('./no/such/folder', 'tokenizer', cache()), /^Error: --tokenizer \.\/no\/such\/folder: no such file or folder$/);
  });
});
