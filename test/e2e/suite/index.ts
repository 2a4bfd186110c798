// The extension tests' entry point (extensionTestsPath) for the development folder: VS Code calls run()
// inside the real extension host.
import { runFolder } from './mochaRunner';

export function run(): Promise<void> {
  return runFolder(__dirname, ['notebook', 'kernel', 'commands', 'trust']);
}
