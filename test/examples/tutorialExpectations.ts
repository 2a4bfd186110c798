// What each tutorial (examples/*.empathy) promises when it runs on the shipped samples: the rich outputs
// (MIME types) it shows and how many trainings it records as runs. Shared by the headless tutorial
// tests (repository CLI, packaged kernel) and the e2e test of the installed .vsix.
import { MIME } from '../../kernel/protocol/mime';

export const TUTORIALS: Record<string, { mimes: string[]; runs: number }> = {
  '00-quickstart.empathy': { mimes: [MIME.lossCurve, MIME.metrics, MIME.confusion, MIME.rationales], runs: 1 },
  '01-explore-the-data.empathy': { mimes: [MIME.table, MIME.metrics, MIME.dataset], runs: 0 },
  '02-train-emotional-reactions.empathy': { mimes: [MIME.table, MIME.lossCurve, MIME.metrics, MIME.confusion], runs: 1 },
  '03-all-three-mechanisms.empathy': { mimes: [MIME.lossCurve, MIME.runs, MIME.metrics, MIME.table], runs: 4 },
  '04-reviewing-rationales.empathy': { mimes: [MIME.lossCurve, MIME.rationales, MIME.confusion, MIME.metrics], runs: 2 },
  '05-your-own-experiment.empathy': { mimes: [MIME.lossCurve, MIME.runs, MIME.metrics], runs: 3 },
};
