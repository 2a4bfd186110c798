// The registry of CLI commands, in `empathy --help` order. Add a command: one file in this folder
// exporting a `Command`, imported and listed here.
import type { Command } from '../command';
import { cv } from './cv';
import { downloadData } from './downloadData';
import { downloadWeightsCommand } from './downloadWeights';
import { evaluate } from './evaluate';
import { importTorch } from './importTorch';
import { jupyter } from './jupyter';
import { predict } from './predict';
import { processData } from './processData';
import { run } from './run';
import { runs } from './runs';
import { report } from './report';
import { review } from './review';
import { split } from './split';
import { stats } from './stats';
import { test } from './test';
import { train } from './train';

export const commands: readonly Command[] = [processData, train, test, evaluate, predict, importTorch, split, stats, downloadData, downloadWeightsCommand, run, runs, cv, report, review, jupyter];
