// The extension tests' entry point for the installed .vsix running every tutorial, in a workspace
// folder that holds only the tutorials.
import { runFolder } from '../suite/mochaRunner';

export function run(): Promise<void> {
  return runFolder(__dirname);
}
