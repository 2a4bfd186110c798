// Safetensors: every dtype round-trips with metadata, files are written atomically, the fixtures read back.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, readSafetensors, readSafetensorsFile, type TensorEntry, toFloat32, toInt32,
  writeSafetensors, writeSafetensorsFileAtomic,
} from '../../kernel/engine/safetensors';

const FIXTURES = path.resolve(__dirname, '../../..', 'test/fixtures/bi-encoder-tiny');

describe('engine/safetensors', function () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h1-st-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('round-trips F32, F16, BF16, I64 and I32 tensors and string metadata, in order', function () {
    const tensors = new Map<string, TensorEntry>([
      ['a.f32', { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, -2.5, 3e-8, 4, 5, 6) }],
      ['b.f16', { dtype: 'F16', shape: [3], data: f32ToF16(Float32Array.of(1, -0.5, 65504)) }],
      ['c.bf16', { dtype: 'BF16', shape: [2], data: f32ToBf16(Float32Array.of(3.140625, -2)) }],
      ['d.i64', { dtype: 'I64', shape: [2], data: BigInt64Array.of(-5n, 2n ** 40n) }],
      ['e.i32', { dtype: 'I32', shape: [1, 1], data: Int32Array.of(-7) }],
      ['f.scalar', { dtype: 'F32', shape: [], data: Float32Array.of(9) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'héllo' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0, 'header padded to 8 bytes');
    const back = readSafetensors(bytes);
    assert.deepEqual(back.metadata, { format: 'pt', note: 'héllo' });
    assert.deepEqual([...back.tensors.keys()], [...tensors.keys()]);
    for (const [k, t] of tensors) {
      const r = back.tensors.get(k)!;
      assert.equal(r.dtype, t.dtype);
      assert.deepEqual(r.shape, t.shape);
      assert.deepEqual(Array.from(r.data as ArrayLike<number | bigint>), Array.from(t.data as ArrayLike<number | bigint>), k);
    }
    assert.deepEqual(Array.from(toFloat32('b', back.tensors.get('b.f16')!)), [1, -0.5, 65504]);
    assert.deepEqual(Array.from(toFloat32('c', back.tensors.get('c.bf16')!)), [3.140625, -2]);
    assert.throws(() => toInt32('d', back.tensors.get('d.i64')!), /does not fit int32/);
  });

  it('converts half floats exactly where representable and rounds to nearest even', function () {
    assert.deepEqual(Array.from(f16ToF32(Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7c00, 0x0000, 0x8000))), [1, -2, 2 ** -24, Infinity, 0, -0]);
    assert.ok(Number.isNaN(f16ToF32(Uint16Array.of(0x7e00))[0]));
    assert.deepEqual(Array.from(f32ToF16(Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e6, 2 ** -24))), [0x3c00, 0x3c02, 0x7c00, 0x0001]);
    assert.deepEqual(Array.from(bf16ToF32(Uint16Array.of(0x3f80, 0xc040))), [1, -3]);
    assert.deepEqual(Array.from(f32ToBf16(Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8))), [0x3f80, 0x3f82]);
  });

  it('writes files atomically (temp + rename), creating folders and leaving no temp file', async function () {
    const file = path.join(tmp, 'deep', 'er', 'model.pth');
    const t = new Map<string, TensorEntry>([['w', { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) }]]);
    await writeSafetensorsFileAtomic(file, t, { family: 'bi-encoder' });
    await writeSafetensorsFileAtomic(file, new Map([['w', { dtype: 'F32', shape: [2], data: Float32Array.of(3, 4) }]]), { family: 'bi-encoder' });
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['model.pth']);
    const back = await readSafetensorsFile(file);
    assert.deepEqual(Array.from(back.tensors.get('w')!.data as Float32Array), [3, 4]);
  });

  it('writes a file tensor by tensor (views, even of a shared buffer), byte for byte what writeSafetensors builds', async function () {
    const shared = Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7); // two tensors that are views of one buffer, not at its start
    const t = new Map<string, TensorEntry>([
      ['x', { dtype: 'F32', shape: [3], data: shared.subarray(1, 4) }],
      ['y', { dtype: 'F32', shape: [2, 2], data: shared.subarray(4, 8) }],
      ['z', { dtype: 'I32', shape: [1], data: Int32Array.of(-3) }],
    ]);
    const file = path.join(tmp, 'streamed.safetensors');
    await writeSafetensorsFileAtomic(file, t, { note: 'chunks' });
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), writeSafetensors(t, { note: 'chunks' }));
    const back = await readSafetensorsFile(file);
    assert.deepEqual(Array.from(back.tensors.get('y')!.data as Float32Array), [4, 5, 6, 7]);
    // Reading a file leaves out what `keep` refuses (inference skips a checkpoint's optimiser state)…
    const some = await readSafetensorsFile(file, { keep: (n) => n !== 'x' });
    assert.deepEqual([...some.tensors.keys()], ['y', 'z']);
    assert.deepEqual(some.metadata, { note: 'chunks' });
    // …and a file cut short is an error naming it, like the buffer reader's.
    const cut = path.join(tmp, 'cut.safetensors');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, fs.statSync(file).size - 3));
    await assert.rejects(readSafetensorsFile(cut), (e: Error) => e.message.startsWith(`${cut}: safetensors: tensor`) && /past end of the data/.test(e.message));
  });

  it('rejects truncated files, bad offsets and unknown dtypes with the tensor name', function () {
    const good = writeSafetensors(new Map([['x', { dtype: 'F32', shape: [4], data: new Float32Array(4) } as TensorEntry]]));
    assert.throws(() => readSafetensors(good.subarray(0, 4)), /too short/);
    assert.throws(() => readSafetensors(good.subarray(0, good.length - 4)), /'x'.*past end/);
    const hdr = JSON.stringify({ y: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } });
    const bad = new Uint8Array(8 + hdr.length + 8);
    new DataView(bad.buffer).setBigUint64(0, BigInt(hdr.length), true);
    bad.set(new TextEncoder().encode(hdr), 8);
    assert.throws(() => readSafetensors(bad), /'y' has unsupported dtype F64/);
    assert.throws(() => writeSafetensors(new Map([['z', { dtype: 'F32', shape: [3], data: new Float32Array(2) } as TensorEntry]])), /'z'.*needs 12/);
  });

  it('reads the PyTorch fixture files (94 F32 weights with their state_dict order; I64 inputs)', async function () {
    assert.ok(fs.existsSync(path.join(FIXTURES, 'weights.safetensors')), `the parity fixtures are part of the repository and missing at ${FIXTURES}`);
    const w = await readSafetensorsFile(path.join(FIXTURES, 'weights.safetensors'));
    assert.equal(w.tensors.size, 94);
    assert.equal(w.metadata.order.split(',').length, 94);
    assert.deepEqual(w.tensors.get('responder_encoder.roberta.encoder.layer.0.intermediate.dense.weight')!.shape, [64, 32]);
    const inp = await readSafetensorsFile(path.join(FIXTURES, 'inputs.safetensors'));
    const ids = inp.tensors.get('input_ids_RP')!;
    assert.equal(ids.dtype, 'I64');
    const row0 = Array.from(toInt32('input_ids_RP', ids).subarray(0, 16));
    assert.equal(row0[0], 0, 'rows start with <s>');
    // Re-writing the fixture gives a file that reads back identically.
    const again = readSafetensors(writeSafetensors(w.tensors, w.metadata));
    for (const [k, t] of w.tensors) assert.deepEqual(again.tensors.get(k)!.data, t.data, k);
  });
});
