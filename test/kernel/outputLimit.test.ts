// The per-cell output cap: head kept up to the limit, then a marker with the exact count dropped,
// then the last few KiB; UTF-8 never cut inside a character; errors pass; 0 means no cap.
import { strict as assert } from 'node:assert';
import { CellOutputLimit } from '../../kernel/notebook/outputLimit';

describe('kernel/notebook output cap', () => {
  it('keeps the head up to the limit; what then fits in the tail is stored whole, without a marker', () => {
    const limit = new CellOutputLimit(10);
    assert.equal(limit.stream('stdout', 'abcdef'), 'abcdef');
    assert.equal(limit.stream('stdout', 'ghijkl'), 'ghij');
    assert.equal(limit.stream('stderr', 'late note\n'), '');
    assert.deepEqual(limit.finish(), [{ kind: 'stream', name: 'stdout', text: 'kl' }, { kind: 'stream', name: 'stderr', text: 'late note\n' }]);
  });

  it('drops the middle of a long output, keeping 4 KiB of its end, and never splits a character', () => {
    const limit = new CellOutputLimit(5);
    assert.equal(limit.stream('stdout', 'ab€cd'), 'ab€'); // € is 3 bytes: 'ab€' is exactly 5
    assert.equal(limit.stream('stdout', 'é'.repeat(10_000)), '');
    const [marker, kept] = limit.finish();
    const keptText = (kept as { text: string }).text;
    assert.ok(!keptText.includes('\uFFFD'));
    assert.equal(Buffer.byteLength(keptText), 4096);
    assert.match((marker as { text: string }).text, new RegExp(`\\(${2 + 20_000 - 4096} bytes dropped`));
  });

  it('drops a rich output larger than the whole cap; 0 means no cap', () => {
    const limit = new CellOutputLimit(100);
    assert.equal(limit.bundle({ 'text/plain': 'small' }), true);
    assert.equal(limit.bundle({ 'text/plain': 'x'.repeat(200) }), false);
    assert.match((limit.finish()[0] as { text: string }).text, /1 rich output among them/);
    const none = new CellOutputLimit(0);
    assert.equal(none.stream('stdout', 'x'.repeat(100_000)).length, 100_000);
    assert.deepEqual(none.finish(), []);
  });
});
