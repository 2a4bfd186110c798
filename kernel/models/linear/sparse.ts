// Compressed sparse row (CSR) matrices on typed arrays: the feature matrices of the linear baseline.

/** rows × cols matrix; row i's entries are indices/values[indptr[i] .. indptr[i+1]). */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;   // [rows + 1]
  indices: Int32Array;  // [nnz] column of each entry, ascending within a row
  values: Float32Array; // [nnz]
}

/** Build a CSR matrix from per-row maps column → value (columns sorted per row). */
export function csrFromRows(rows: ReadonlyArray<Map<number, number>>, cols: number): Csr {
  let nnz = 0;
  for (const r of rows) nnz += r.size;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let p = 0;
  rows.forEach((r, i) => {
    const cs = [...r.keys()].sort((a, b) => a - b);
    for (const c of cs) {
      indices[p] = c;
      values[p] = r.get(c)!;
      p++;
    }
    indptr[i + 1] = p;
  });
  return { rows: rows.length, cols, indptr, indices, values };
}

/** The sub-matrix of the given rows (in that order). */
export function csrSelectRows(x: Csr, which: ArrayLike<number>): Csr {
  let nnz = 0;
  for (let i = 0; i < which.length; i++) nnz += x.indptr[which[i] + 1] - x.indptr[which[i]];
  const indptr = new Int32Array(which.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let p = 0;
  for (let i = 0; i < which.length; i++) {
    const a = x.indptr[which[i]];
    const b = x.indptr[which[i] + 1];
    indices.set(x.indices.subarray(a, b), p);
    values.set(x.values.subarray(a, b), p);
    p += b - a;
    indptr[i + 1] = p;
  }
  return { rows: which.length, cols: x.cols, indptr, indices, values };
}

/** Dense copy of row i (for tests and inspection). */
export function csrRow(x: Csr, i: number): Float32Array {
  const out = new Float32Array(x.cols);
  for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++) out[x.indices[p]] = x.values[p];
  return out;
}
