// A user types a wrong operand in a .wat file: the live type checker underlines the instruction as they
// type, with a message that says what it expects and what the stack has (hover and Problems panel);
// correcting the operand takes the squiggle and the entry away. No command is run: it is live.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorkbench } from './harness';

const LINE = '    (i32.add (local.get $x) (i32.const 1)))';
const TYPED_WAT = `(module
  (func $add (export "add") (param $x i32) (result i32)
${LINE}
)
`;
// 1-based column of the operand's type (the `i` of `i32.const`)
const COLUMN = LINE.indexOf('i32.const') + 1;
const MESSAGE = 'i32.add expects [i32 i32] but the stack has [i32 f32]';

describe('live type errors', () => {
  const wb = useWorkbench({ name: 'type-errors', files: { 'typed.wat': TYPED_WAT } });

  test('a wrong operand typed: squiggle and message; fixed: gone', async () => {
    const w = wb();
    await w.openFile('typed.wat');
    // the module is valid as written
    await w.waitForNoProblem((p) => p.file === 'typed.wat' && p.severity === 'error');
    await w.waitForNoSquiggle('error');
    // (i32.const 1) -> (f32.const 1), typed
    await w.goToLine(3, COLUMN);
    await w.page.keyboard.press('Delete');
    await w.page.keyboard.type('f');
    await w.waitForSquiggle('error');
    const problem = await w.waitForProblem((p) => p.file === 'typed.wat' && p.code === 'wasm-invalid');
    // (the row also carries the related information, the operand at fault, which the harness's row text may append)
    assert.ok(problem.message.startsWith(MESSAGE), `the Problems entry says what was expected and found: ${problem.message}`);
    assert.equal(problem.line, 3);
    assert.ok((await w.hoverSquiggle('error')).includes(MESSAGE), 'the squiggle\'s hover shows the message');
    // back to i32: the squiggle and the entry go
    await w.goToLine(3, COLUMN);
    await w.page.keyboard.press('Delete');
    await w.page.keyboard.type('i');
    await w.waitForNoSquiggle('error');
    await w.waitForNoProblem((p) => p.file === 'typed.wat' && p.code === 'wasm-invalid');
  });
});
