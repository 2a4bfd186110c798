// danfojs-node DataFrames from validated rows (loaded lazily: it takes seconds).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readEpitomeFrame, toDataFrame } from '../../dataset/frame';

describe('dataset/frame (danfojs-node)', function () {
  this.timeout(60_000);
  it('turns rows into a DataFrame with joined rationales, and reads a sample CSV into one', async () => {
    const df = toDataFrame([
      { sp_id: 'a', level: 1, rationales: ['x', 'y'] },
      { sp_id: 'b', level: 0, rationales: [] },
    ]);
    assert.deepEqual(df.shape, [2, 3]);
    assert.deepEqual(df.column('rationales').values, ['x|y', '']);
    const sample = await readEpitomeFrame(path.resolve(__dirname, '../../../dataset/samples/interpretations-sample.csv'));
    assert.equal(sample.shape[0], 24);
    const counts = sample.column('level').valueCounts();
    assert.equal((counts.values as number[]).reduce((a, b) => a + b, 0), 24);
  });
});
