// Every `empathy …` command a tutorial quotes (inline code in markdown cells, and ```sh blocks) parses
// with the real CLI parser: the command exists, every flag exists and takes the value given, and files
// it names under dataset/ exist. So a tutorial never teaches a flag the CLI rejects.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from '../../kernel/cli/args';
import { commands } from '../../kernel/cli/commands/index';
import { parseNotebook } from '../../kernel/notebook/format/notebook';

const repo = resolve(__dirname, '../../..');
const examples = join(repo, 'examples');

/** Shell-like words: "…" and '…' group, backslash-newline continues the line. */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The `empathy …` command lines quoted in a markdown text. */
export function quotedCommands(md: string): string[] {
  const found: string[] = [];
  for (const block of md.matchAll(/```(?:sh|bash|shell)?\n([\s\S]*?)```/g)) {
    const joined = block[1].replace(/\\\n\s*/g, ' ');
    for (const l of joined.split('\n')) if (/^\s*(npx |node bin\/)?empathy(\.js)? /.test(l)) found.push(l.trim());
  }
  const inline = md.replace(/```[\s\S]*?```/g, '');
  for (const m of inline.matchAll(/`((?:npx )?empathy [^`]+)`/g)) found.push(m[1]);
  return found;
}

describe('CLI commands quoted in the tutorials', () => {
  const notebooks = readdirSync(examples).filter((f) => f.endsWith('.empathy'));
  const quoted: Array<{ where: string; line: string }> = [];
  for (const name of notebooks) {
    const nb = parseNotebook(readFileSync(join(examples, name), 'utf8'), name);
    for (const c of nb.cells) if (c.kind === 'markdown') for (const line of quotedCommands(c.source)) quoted.push({ where: `${name} cell ${c.id}`, line });
  }
  for (const line of quotedCommands(readFileSync(join(examples, 'README.md'), 'utf8'))) quoted.push({ where: 'examples/README.md', line });

  it('finds the commands (tutorial 2 quotes its terminal equivalent)', () => {
    assert.ok(quoted.length >= 5, `only ${quoted.length} quoted commands found`);
    assert.ok(quoted.some((q) => q.where.startsWith('02-') && / train .*--lr 1e-3/.test(q.line)), 'tutorial 2 shows its train command with the flags it used');
  });

  it('each parses with the CLI parser, and the dataset files it names exist', () => {
    for (const { where, line } of quoted) {
      const words = shellWords(line);
      while (words[0] === 'npx' || words[0] === 'node' || /^(bin\/)?empathy(\.js)?$/.test(words[0])) words.shift();
      const cmd = commands.find((c) => c.name === words[0]);
      assert.ok(cmd, `${where}: \`${line}\`: no command ${JSON.stringify(words[0])}`);
      assert.doesNotThrow(() => parseArgs(words.slice(1), cmd!.options, cmd!.name), (e: unknown) => `${where}: \`${line}\`: ${(e as Error).message}`);
      for (const w of words.flatMap((x) => x.split(','))) if (w.startsWith('dataset/')) assert.ok(existsSync(join(repo, w)), `${where}: ${w} does not exist`);
      // Files read by the command exist in the repository, or are written by an earlier command (output/…).
      const parsed = parseArgs(words.slice(1), cmd!.options, cmd!.name);
      for (const flag of ['train_path', 'dev_path', 'test_path', 'input_path', 'gold', 'data']) {
        const v = parsed.opts[flag];
        for (const f of (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).flatMap((x) => x.split(','))) {
          if (/^[A-Z_.…]+$/.test(f) || f.includes('…')) continue; // a placeholder (RUN, PATH, …)
          assert.ok(f.startsWith('output/') || existsSync(join(repo, f)), `${where}: --${flag} ${f} does not exist`);
        }
      }
    }
  });

  it('the parser test is not vacuous: a wrong flag fails', () => {
    const train = commands.find((c) => c.name === 'train')!;
    assert.throws(() => parseArgs(shellWords('--train_path x.csv --learning_rate 1e-3'), train.options, 'train'));
  });
});
