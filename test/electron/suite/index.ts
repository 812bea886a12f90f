// Entry point of the extension-host test suite (extensionTestsPath): runs every *.test.js next to it with
// mocha, inside the extension host, and writes the outcome to results.json beside it (the code-server
// runner reads that file; @vscode/test-electron uses the rejection of run()).
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export interface SuiteResults {
  passed: string[];
  failed: { title: string; error: string }[];
  done: boolean;
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const results: SuiteResults = { passed: [], failed: [], done: false };
  const resultsFile = path.join(__dirname, 'results.json');
  fs.rmSync(resultsFile, { force: true });
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (t) => results.passed.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => results.failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
  results.done = true;
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
