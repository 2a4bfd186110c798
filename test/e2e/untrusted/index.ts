// The extension tests' entry point for a folder opened in Restricted Mode (workspace trust on, not granted).
import { runFolder } from '../suite/mochaRunner';

export function run(): Promise<void> {
  return runFolder(__dirname);
}
