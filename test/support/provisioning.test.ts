// `npm test` provisions the browser tests' Chromium or fails loudly, and its closing line counts
// skipped tests with their reasons. The "no Chromium" paths are tested with a PATH that has none.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { browserTestsUnavailable, findChromium } from './chromium';
import { ensureChromium } from './ensureChromium';
import { ensureMesa, MESA_PACKAGES } from './ensureMesa';

const REPO = path.resolve(__dirname, '../../..');

function fakeProgram(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('test provisioning: Chromium and the closing line', function () {
  this.timeout(60_000);
  let dir = '';
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-chromium-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds chromium on PATH, or the EMPATHY_CHROMIUM it is given', () => {
    const bin = fakeProgram(dir, 'chromium', 'exit 0');
    assert.deepEqual(findChromium({ PATH: dir }), { found: true, path: bin, via: 'PATH' });
    assert.deepEqual(findChromium({ PATH: '', EMPATHY_CHROMIUM: bin }), { found: true, path: bin, via: 'EMPATHY_CHROMIUM' });
    assert.match(JSON.stringify(findChromium({ PATH: dir, EMPATHY_CHROMIUM: path.join(dir, 'nope') })), /is not an executable file/);
    assert.equal(ensureChromium({ PATH: dir }, false).ok, true);
  });

  it('without Chromium and without apt (or root): fails with the exact command to run', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    for (const isRoot of [true, false]) {
      const r = ensureChromium({ PATH: empty }, isRoot);
      assert.equal(r.ok, false);
      assert.match(r.message, /need Chromium, and no Chromium on PATH/);
      assert.match(r.message, /Install it: {3}sudo apt-get install -y chromium/);
      assert.match(r.message, /EMPATHY_SKIP_BROWSER_TESTS=1 npm test/);
    }
    assert.match(browserTestsUnavailable({ PATH: empty }) ?? '', /^no Chromium: no Chromium on PATH/);
    // The real script, as `npm test` runs it: exit 1 and the command on stderr.
    const script = spawnSync(process.execPath, [path.join(REPO, 'out/test/support/ensureChromium.js')], { encoding: 'utf8', env: { PATH: empty } });
    assert.equal(script.status, 1);
    assert.match(script.stderr, /sudo apt-get install -y chromium/);
  });

  it('without Chromium, as root with apt: installs Debian\'s chromium, then uses it', () => {
    const log = path.join(dir, 'apt.log');
    // A stand-in apt-get that records its arguments and "installs" chromium next to itself.
    fakeProgram(dir, 'apt-get', `echo "$@" >> ${log}\nif [ "$1" = install ]; then printf '#!/bin/sh\\nexit 0\\n' > ${dir}/chromium; /bin/chmod +x ${dir}/chromium; fi`);
    const r = ensureChromium({ PATH: dir }, true);
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /Chromium .*\/chromium \(installed with apt-get\)/);
    assert.deepEqual(fs.readFileSync(log, 'utf8').trim().split('\n'), ['update -qq', 'install -y -qq chromium']);
  });

  it('EMPATHY_SKIP_BROWSER_TESTS=1 is the only quiet way past a missing Chromium, and it is named', () => {
    assert.equal(ensureChromium({ PATH: '', EMPATHY_SKIP_BROWSER_TESTS: '1' }, false).ok, true);
    assert.equal(browserTestsUnavailable({ PATH: '', EMPATHY_SKIP_BROWSER_TESTS: '1' }), 'browser tests off (EMPATHY_SKIP_BROWSER_TESTS=1)');
  });

  it('the closing line counts skipped tests and names their reasons, in the form CI reads', () => {
    const spec = path.join(dir, 'skips.test.js');
    fs.writeFileSync(spec, `
      const { skipBecause } = require(${JSON.stringify(path.join(REPO, 'out/test/support/skip.js'))});
      describe('browser', function () {
        before(function () { skipBecause(this, 'no Chromium: none on PATH'); });
        it('a', () => {}); it('b', () => {}); it('c', () => {});
      });
      describe('data', () => {
        it('needs data', function () { skipBecause(this, 'no EPITOME CSVs at /x'); });
        it('runs', () => {});
        it.skip('later', () => {});
      });`);
    const mocha = path.join(REPO, 'node_modules/mocha/bin/mocha.js');
    const r = spawnSync(process.execPath, [mocha, '--no-config', '--reporter', path.join(REPO, 'test/support/summary-reporter.js'), spec], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const last = r.stdout.trim().split('\n').pop()!;
    assert.equal(last, '1 passed, 0 failed, 5 skipped (3 no Chromium: none on PATH; 1 no EPITOME CSVs at /x; 1 marked pending in the code)');
    // .ci/run's grep and sed read it as 1 passed, 0 failed.
    assert.match(last, /^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed/);
    assert.equal(last.replace(/.* ([0-9]+) failed.*/, '$1'), '0');
  });
});

describe('test provisioning: Mesa for the webgpu tests', function () {
  this.timeout(60_000);
  let dir = '';
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-mesa-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('not root (or no apt): names the missing packages and the command, and never fails the run', () => {
    // A stand-in dpkg-query that knows only libegl1.
    fakeProgram(dir, 'dpkg-query', 'if [ "$3" = libegl1 ]; then printf "install ok installed"; exit 0; fi; exit 1');
    const r = ensureMesa({ PATH: dir }, false);
    assert.equal(r.installed, false);
    assert.match(r.message, /they will skip\. To run them: sudo apt-get install -y libegl-mesa0 libgles2 libgl1-mesa-dri$/);
  });

  it('as root with apt: installs exactly the missing packages', () => {
    const log = path.join(dir, 'apt.log');
    const state = path.join(dir, 'installed');
    fakeProgram(dir, 'dpkg-query', `if [ -f ${state} ] || [ "$3" = libegl1 ]; then printf "install ok installed"; exit 0; fi; exit 1`);
    fakeProgram(dir, 'apt-get', `echo "$@" >> ${log}\nif [ "$1" = install ]; then : > ${state}; fi`);
    const r = ensureMesa({ PATH: dir }, true);
    assert.equal(r.installed, true, r.message);
    assert.deepEqual(fs.readFileSync(log, 'utf8').trim().split('\n'), ['update -qq', `install -y -qq ${MESA_PACKAGES.slice(1).join(' ')}`]);
  });

  it('without dpkg (not Debian): says the webgpu tests depend on an adapter', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    assert.match(ensureMesa({ PATH: empty }, true).message, /not a Debian system/);
  });
});
