// A user opens the example workspace, then a .wat file: VS Code knows the language, and a broken file shows
// a syntax error both as a squiggle in the editor and as an entry in the Problems panel.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manifest, REPO_ROOT, useWorkbench, type Problem } from './harness';

const watLanguage = (manifest().contributes?.languages ?? []).find((l: { id: string }) => l.id === 'wat');
// Policy findings carry their rule id as code, and every rule has a page in docs/rules/: what is not a policy
// finding is a syntax (or validation) finding.
const policyRuleIds = new Set(fs.readdirSync(path.join(REPO_ROOT, 'docs', 'rules')).map((f) => f.replace(/\.md$/, '')));
const isSyntaxError = (file: string) => (p: Problem) => p.file === file && p.severity === 'error' && !policyRuleIds.has(p.code);

describe('activation', () => {
  const wb = useWorkbench({ name: 'activation' });

  test('a .wat file is in the WAT language, shown in the status bar', async () => {
    assert.ok(watLanguage, 'package.json contributes the wat language');
    const w = wb();
    await w.openFile('hello.wat');
    assert.equal(await w.languageMode(), watLanguage.aliases[0]);
  });

  test('a syntax error shows as an error squiggle and a Problems entry', async () => {
    const w = wb();
    await w.openFile('broken.wat');
    assert.equal(await w.languageMode(), watLanguage.aliases[0]);
    const squiggles = await w.waitForSquiggle('error');
    assert.equal(await squiggles.count(), 1, 'one error squiggle in broken.wat');
    const problem = await w.waitForProblem(isSyntaxError('broken.wat'));
    assert.ok(problem.message.length > 0, 'the entry has a message');
    // broken.wat's function lacks its ')': the module (line 2) or the function (line 3) is left unclosed.
    assert.ok(problem.line >= 2 && problem.line <= 6, `the entry points into the module: ${problem.label}`);
    // The squiggle and the entry are the same diagnostic: hovering the squiggle shows the entry's message.
    assert.ok((await w.hoverSquiggle('error')).includes(problem.message), 'the squiggle\'s hover shows the Problems message');
    // The well-formed file gets no syntax error (its policy findings are another scenario's subject).
    const problems = await w.problems();
    assert.deepEqual(problems.filter(isSyntaxError('hello.wat')), [], 'hello.wat is well-formed');
  });

  test('fixing the syntax error removes the squiggle and the Problems entry', async () => {
    const w = wb();
    await w.openFile('broken.wat');
    await w.waitForSquiggle('error');
    // broken.wat lacks the closing parenthesis of its function: add it at the end of the body's line.
    await w.goToLine(4, 1);
    await w.page.keyboard.press('End');
    await w.page.keyboard.type(')');
    await w.waitForNoSquiggle('error');
    await w.waitForNoProblem((p) => p.file === 'broken.wat');
  });
});
