// Run `f` with one environment variable set, and put the old value (or its absence) back afterwards.
export async function withEnv<T>(name: string, value: string, f: () => Promise<T>): Promise<T> {
  const prev = process.env[name];
  process.env[name] = value;
  try {
    return await f();
  } finally {
    if (prev === undefined) delete process.env[name];
    else process.env[name] = prev;
  }
}
