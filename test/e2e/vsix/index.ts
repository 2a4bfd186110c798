// The extension tests' entry point for the packaged .vsix installed into code-server.
import { runFolder } from '../suite/mochaRunner';

export function run(): Promise<void> {
  return runFolder(__dirname);
}
