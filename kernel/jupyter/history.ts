// This kernel session's input history, for history_request (tail, range, search): every executed
// cell with store_history, numbered by its execution count. Jupyter's session 0 means "this one".
export type HistoryEntry = [session: number, line: number, input: string];

export interface HistoryQuery {
  hist_access_type?: string;
  n?: number;
  start?: number;
  stop?: number;
  pattern?: string;
  unique?: boolean;
}

/** A Jupyter/IPython glob (`*`, `?`) as an anchored regular expression. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly entries: HistoryEntry[] = [];

  add(line: number, input: string): void {
    this.entries.push([0, line, input]);
  }

  query(q: HistoryQuery): HistoryEntry[] {
    const n = typeof q.n === 'number' && q.n >= 0 ? q.n : undefined;
    switch (q.hist_access_type) {
      case 'tail':
        return n === undefined ? [...this.entries] : this.entries.slice(Math.max(0, this.entries.length - n));
      case 'range': {
        const start = q.start ?? 0;
        const stop = q.stop ?? Number.MAX_SAFE_INTEGER;
        return this.entries.filter(([, line]) => line >= start && line < stop);
      }
      case 'search': {
        const re = globToRegExp(q.pattern ?? '*');
        let hits = this.entries.filter(([, , input]) => re.test(input));
        if (q.unique) hits = hits.filter((h, i) => hits.findIndex((x) => x[2] === h[2]) === i);
        return n === undefined ? hits : hits.slice(Math.max(0, hits.length - n));
      }
      default:
        return [];
    }
  }
}
