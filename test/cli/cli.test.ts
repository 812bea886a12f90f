/**
 * The `wasm-warden` CLI, end to end: the real executable (bin/wasm-warden.js over the esbuild bundle)
 * run as a subprocess on fixture folders. One file so the bundle is built exactly once.
 * Run: node --import tsx --test test/cli/cli.test.ts
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULES } from '../../server/src/engine/policy/rules';
import { BIN, build, cli, fixtureDir, hasScript, inTty, rm, ROOT } from './helpers';
import { module, section, str, u32 } from '../unit/binary/wasm-fixtures';

const dirs: string[] = [];
async function fixtures(files: string[]): Promise<string> {
  const d = await fixtureDir(files);
  dirs.push(d);
  return d;
}

before(() => build());
after(() => dirs.forEach(rm));

describe('wasm-warden CLI', { concurrency: true }, () => {

interface JsonReport {
  files: { path: string; findings: { rule: string; severity: string; message: string; line?: number; column?: number; offset?: number }[] }[];
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const MATCHER = new RegExp(pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === 'wasm-warden').pattern.regexp);

describe('check', { concurrency: true }, () => {
  const files = ['denied.wat', 'denied.wasm', 'clean.wat', 'sub/unbounded.wasm'];

  test('json: one object, paths relative and sorted, findings located (lines for text, offsets for binaries)', async () => {
    const d = await fixtures(files);
    const r = await cli(['check', '.', '--format', 'json'], d);
    assert.equal(r.code, 1, r.stderr);
    const report: JsonReport = JSON.parse(r.stdout);
    assert.deepEqual(report.files.map((f) => f.path), ['clean.wat', 'denied.wasm', 'denied.wat', 'sub/unbounded.wasm']);
    const byPath = Object.fromEntries(report.files.map((f) => [f.path, f.findings]));
    assert.deepEqual(byPath['clean.wat'], []);
    const wat = byPath['denied.wat'];
    assert.deepEqual(wat.map((f) => f.rule).sort(), ['memory-unbounded', 'wasi-capability-denied']);
    const src = fs.readFileSync(path.join(d, 'denied.wat'), 'utf8').split('\n');
    const imp = wat.find((f) => f.rule === 'wasi-capability-denied')!;
    assert.equal(src[imp.line! - 1].slice(imp.column! - 1).startsWith('(import "wasi_snapshot_preview1" "sock_accept"'), true);
    const mem = wat.find((f) => f.rule === 'memory-unbounded')!;
    assert.match(src[mem.line! - 1], /^\s*\(memory 1\)/);
    for (const f of wat) assert.equal(f.offset, undefined);
    const bin = byPath['denied.wasm'];
    assert.deepEqual(bin.map((f) => f.rule).sort(), ['memory-unbounded', 'wasi-capability-denied']);
    const bytes = fs.readFileSync(path.join(d, 'denied.wasm'));
    for (const f of bin) {
      assert.equal(f.line, undefined);
      assert.ok(typeof f.offset === 'number' && f.offset > 8 && f.offset < bytes.length, `offset ${f.offset}`);
      assert.equal(f.severity, 'error');
    }
    assert.deepEqual(byPath['sub/unbounded.wasm'].map((f) => f.rule), ['memory-unbounded']);
  });

  test('text: one finding per line matching the $wasm-warden problem matcher, then a summary', async () => {
    const d = await fixtures(files);
    const [text, json] = await Promise.all([cli(['check', '.'], d), cli(['check', '.', '--format', 'json'], d)]);
    assert.equal(text.code, 1);
    assert.ok(!text.stdout.includes('\x1b['), 'no colour when stdout is not a TTY');
    const lines = text.stdout.trimEnd().split('\n');
    const summary = lines.pop()!;
    const expected = (JSON.parse(json.stdout) as JsonReport).files.flatMap((f) => f.findings.map((x) => ({ ...x, path: f.path })));
    assert.equal(lines.length, expected.length);
    assert.match(summary, new RegExp(`^4 files checked: ${expected.length} errors, 0 warnings, 0 infos$`));
    assert.doesNotMatch(summary, MATCHER);
    lines.forEach((line, i) => {
      const m = MATCHER.exec(line);
      assert.ok(m, `problem matcher does not match: ${line}`);
      const e = expected[i];
      assert.equal(m[1], e.path);
      assert.equal(m[4], e.severity);
      assert.equal(m[5], e.rule);
      if (e.offset !== undefined) {
        assert.deepEqual([m[2], m[3]], ['1', '1']);
        assert.equal(m[6], `${e.message} (@0x${e.offset.toString(16)})`);
      } else {
        assert.deepEqual([Number(m[2]), Number(m[3])], [e.line, e.column]);
        assert.equal(m[6], e.message);
      }
    });
  });

  test('sarif: valid against the SARIF 2.1.0 schema, rules from the registry, text and binary regions', async () => {
    const d = await fixtures(files);
    const [sarifRun, json] = await Promise.all([cli(['check', '.', '--format', 'sarif'], d), cli(['check', '.', '--format', 'json'], d)]);
    assert.equal(sarifRun.code, 1);
    const log = JSON.parse(sarifRun.stdout);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = require('ajv-draft-04');
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false }).compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    assert.equal(validate({ ...log, version: '2.0.0' }), false, 'the validator rejects a wrong log');

    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    const rules = run.tool.driver.rules as { id: string; shortDescription: { text: string }; helpUri: string; defaultConfiguration: { level: string } }[];
    for (const r of RULES) {
      const s = rules.find((x) => x.id === r.id);
      assert.ok(s, `rule ${r.id} listed`);
      assert.equal(s.shortDescription.text, r.title);
      assert.ok(s.helpUri.endsWith(`/${r.id}.md`) && /^https:\/\//.test(s.helpUri), s.helpUri);
      assert.ok(fs.existsSync(path.join(ROOT, 'docs', 'rules', `${r.id}.md`)), `doc of ${r.id}`);
      assert.equal(s.defaultConfiguration.level, r.defaultSeverity === 'info' ? 'note' : r.defaultSeverity);
    }
    const expected = (JSON.parse(json.stdout) as JsonReport).files.flatMap((f) => f.findings.map((x) => ({ ...x, path: f.path })));
    assert.equal(run.results.length, expected.length);
    run.results.forEach((res: any, i: number) => {
      const e = expected[i];
      assert.equal(res.ruleId, e.rule);
      assert.equal(rules[res.ruleIndex].id, e.rule);
      assert.equal(res.level, 'error');
      assert.equal(res.message.text, e.message);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, e.path);
      assert.ok(!path.isAbsolute(loc.artifactLocation.uri));
      if (e.offset !== undefined) assert.deepEqual(loc.region, { startLine: 1, startColumn: 1, byteOffset: e.offset });
      else {
        assert.equal(loc.region.startLine, e.line);
        assert.equal(loc.region.startColumn, e.column);
        assert.ok(loc.region.endLine >= loc.region.startLine && typeof loc.region.endColumn === 'number');
      }
    });
  });

  test('exit codes: 0 clean, 1 at or above --fail-on, warnings pass unless --fail-on warning', async () => {
    const d = await fixtures(['clean.wat', 'unbounded.wat']);
    fs.writeFileSync(path.join(d, 'warn.policy.json'), JSON.stringify({ rules: { 'memory-unbounded': 'warning' } }));
    assert.equal((await cli(['check', 'clean.wat'], d)).code, 0);
    assert.equal((await cli(['check', 'unbounded.wat'], d)).code, 1);
    const warn = await cli(['check', 'unbounded.wat', '--policy', 'warn.policy.json'], d);
    assert.equal(warn.code, 0, warn.stdout + warn.stderr);
    assert.match(warn.stdout, /^unbounded\.wat:\d+:\d+: warning \[memory-unbounded\] /m);
    assert.equal((await cli(['check', 'unbounded.wat', '--policy', 'warn.policy.json', '--fail-on', 'warning'], d)).code, 1);
    assert.equal((await cli(['check', 'unbounded.wat', '--policy', 'warn.policy.json', '--fail-on', 'info'], d)).code, 1);
  });

  test('the nearest wasm-warden.policy.json applies; a broken policy is an input error (2)', async () => {
    const d = await fixtures(['lib/unbounded.wat']);
    fs.writeFileSync(path.join(d, 'lib', 'wasm-warden.policy.json'), JSON.stringify({ memory: { requireMaximum: false } }));
    assert.equal((await cli(['check', '.'], d)).code, 0);
    fs.writeFileSync(path.join(d, 'lib', 'wasm-warden.policy.json'), '{ "memory": ');
    const broken = await cli(['check', '.'], d);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /wasm-warden\.policy\.json:1:\d+: error \[policy-syntax\]/);
    const explicit = await cli(['check', '.', '--policy', 'lib/wasm-warden.policy.json'], d);
    assert.equal(explicit.code, 2);
    assert.match(explicit.stderr, /cannot be used/);
    assert.doesNotMatch(explicit.stderr, /\n\s+at /, 'no stack trace');
  });

  test('usage and input errors exit 2 with a message and no stack trace', async () => {
    const d = await fixtures(['clean.wat']);
    fs.writeFileSync(path.join(d, 'notes.txt'), 'x');
    const cases: [string[], RegExp][] = [
      [['check', 'missing.wasm'], /missing\.wasm: no such file or directory/],
      [['check', 'clean.wat', '--fromat', 'json'], /unknown option --fromat \(did you mean --format\?\)/],
      [['check', 'clean.wat', '--format', 'xml'], /--format must be one of text, json, sarif/],
      [['check', 'clean.wat', '--fail-on', 'fatal'], /--fail-on must be one of error, warning, info/],
      [['check', 'clean.wat', '--policy', 'nope.json'], /nope\.json: no such file or directory/],
      [['check', 'notes.txt'], /not a \.wat, \.wast or \.wasm file/],
      [['check', "'*.wasm'".slice(1, -1)], /no \.wat, \.wast or \.wasm files match \*\.wasm/],
      [['check'], /no input files/],
      [['chekc'], /unknown command chekc \(did you mean check\?\)/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, d);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    }
  });

  test('a file over the memory budget per file is an input error, not a crash; the other files are checked', async () => {
    const d = await fixtures(['denied.wat']);
    // 300,000 empty functions (1.7 MB, generated here): far more parse tree than a 64 MB heap holds
    fs.writeFileSync(path.join(d, 'a-funcs.wat'), `(module ${'(func)'.repeat(300_000)})`);
    const r = await cli(['check', '.', '--format', 'json', '--max-heap-mb', '64'], d);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /a-funcs\.wat: needs more than 64 MB of memory to check, over the budget per file \(--max-heap-mb\); not checked/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const report: JsonReport = JSON.parse(r.stdout);
    assert.deepEqual(report.files.map((f) => f.path), ['denied.wat'], 'the next file is checked on a fresh worker');
    assert.ok(report.files[0].findings.some((f) => f.rule === 'wasi-capability-denied' && f.line === 3 && f.column === 3), 'WAT findings keep their lines');
  });

  test('.wast scripts are checked module by module', async () => {
    const d = await fixtures([]);
    fs.writeFileSync(path.join(d, 'spec.wast'), '(module (memory 1 1))\n(assert_invalid (module (func (result i32))) "type mismatch")\n(module (memory 2))\n');
    const r = await cli(['check', 'spec.wast', '--format', 'json'], d);
    assert.equal(r.code, 1, r.stderr);
    const [f] = JSON.parse(r.stdout).files[0].findings;
    assert.deepEqual([f.rule, f.line, f.column > 1], ['memory-unbounded', 3, true]);
  });

  test('globs, --output never overwrites without --force', async () => {
    const d = await fixtures(['a/denied.wasm', 'b/clean.wasm', 'b/clean.wat']);
    const glob = await cli(['check', '**/*.wasm', '--format', 'json'], d);
    assert.deepEqual((JSON.parse(glob.stdout) as JsonReport).files.map((f) => f.path), ['a/denied.wasm', 'b/clean.wasm']);
    const first = await cli(['check', '.', '--format', 'sarif', '--output', 'out.sarif'], d);
    assert.equal(first.code, 1);
    assert.equal(first.stdout, '');
    assert.equal(JSON.parse(fs.readFileSync(path.join(d, 'out.sarif'), 'utf8')).version, '2.1.0');
    fs.writeFileSync(path.join(d, 'out.sarif'), 'keep me');
    const again = await cli(['check', '.', '--format', 'sarif', '--output', 'out.sarif'], d);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /out\.sarif already exists \(use --force to overwrite\)/);
    assert.equal(fs.readFileSync(path.join(d, 'out.sarif'), 'utf8'), 'keep me');
    assert.equal((await cli(['check', '.', '--format', 'json', '--output', 'out.sarif', '--force'], d)).code, 1);
    assert.ok(JSON.parse(fs.readFileSync(path.join(d, 'out.sarif'), 'utf8')).files);
  });

  test('on a TTY: colour (unless NO_COLOR / --no-color) and progress redrawn in place', { skip: !hasScript() && 'needs script(1) for a pseudo-terminal' }, async () => {
    const d = await fixtures(['a/denied.wat', 'b/clean.wat']);
    const env = { WASM_WARDEN_PROGRESS_INTERVAL_MS: '0' };
    const tty = (args: string, extra: Record<string, string> = {}) => inTty(`node ${JSON.stringify(BIN)} ${args}`, d, { ...env, ...extra });
    const coloured = await tty('check .');
    assert.match(coloured, /\x1b\[1ma\/denied\.wat:\d+:\d+:\x1b\[0m \x1b\[31merror\x1b\[0m/);
    assert.match(coloured, /\r\x1b\[Kchecking 1\/2 a\/denied\.wat/);
    const plain = await tty('check .', { NO_COLOR: '1' });
    assert.doesNotMatch(plain, /\x1b\[\d+m/);
    assert.match(plain, /a\/denied\.wat:\d+:\d+: error \[/);
    assert.doesNotMatch(await tty('check . --no-color'), /\x1b\[\d+m/);
    assert.doesNotMatch(await tty('check . --quiet'), /checking/);
  });

  test('progress: plain lines on stderr when not a TTY, nothing with --quiet', async () => {
    const d = await fixtures(['a.wat', 'b.wat', 'c.wat'].map((f) => f.replace(/^./, (c) => `${c}/clean`)));
    const env = { CI: 'true', WASM_WARDEN_PROGRESS_INTERVAL_MS: '0' };
    const r = await cli(['check', '.'], d, env);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stderr.trimEnd().split('\n').slice(0, 3), ['checking 1/3 a/clean.wat', 'checking 2/3 b/clean.wat', 'checking 3/3 c/clean.wat']);
    assert.ok(!r.stderr.includes('\r'));
    assert.equal((await cli(['check', '.', '--quiet'], d, env)).stderr, '');
  });
});

describe('validate, compile, disassemble, optimize, inspect', { concurrency: true }, () => {
  test('validate: valid modules exit 0; a syntax error is reported in all formats and exits 1', async () => {
    const d = await fixtures(['clean.wat', 'clean.wasm', 'broken.wat']);
    const [ok, bad, text, sarifRun] = await Promise.all([
      cli(['validate', 'clean.wat', 'clean.wasm'], d),
      cli(['validate', 'broken.wat', '--format', 'json'], d),
      cli(['validate', 'broken.wat'], d),
      cli(['validate', 'broken.wat', '--format', 'sarif'], d),
    ]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^2 files validated: 0 errors/m);
    assert.equal(bad.code, 1);
    const f = JSON.parse(bad.stdout).files[0];
    assert.equal(f.valid, false);
    assert.ok(f.findings.some((x: { severity: string; line?: number }) => x.severity === 'error' && typeof x.line === 'number'));
    assert.equal(text.code, 1);
    assert.match(text.stdout.split('\n')[0], MATCHER);
    const sarif = JSON.parse(sarifRun.stdout);
    assert.ok(sarif.runs[0].results.length >= 1);
  });

  test('validate of an invalid binary: the finding names function, instruction and byte offset in text, JSON and SARIF (a byte region)', async () => {
    const d = await fixtures([]);
    // func 0 $f: (i32.add (i32.const 1) (f32.const 0)), with a name section
    const body = [0, 0x41, 1, 0x43, 0, 0, 0, 0, 0x6a, 0x0b];
    const names = [1, 0, ...str('f')];
    const bytes = module([
      section(1, [1, 0x60, 0, 1, 0x7f]),
      section(3, [1, 0]),
      section(10, [1, ...u32(body.length), ...body]),
      section(0, [...str('name'), 1, ...u32(names.length), ...names]),
    ]);
    fs.writeFileSync(path.join(d, 'bad.wasm'), bytes);
    const at = bytes.lastIndexOf(0x6a);
    const message = `func 0 ($f), i32.add at 0x${at.toString(16)}: i32.add expects [i32 i32] but the stack has [i32 f32]`;
    const [text, json, sarifRun] = await Promise.all([
      cli(['validate', 'bad.wasm'], d),
      cli(['validate', 'bad.wasm', '--format', 'json'], d),
      cli(['validate', 'bad.wasm', '--format', 'sarif'], d),
    ]);
    assert.equal(text.code, 1);
    assert.ok(text.stdout.includes(message), text.stdout);
    const f = JSON.parse(json.stdout).files[0];
    assert.equal(f.valid, false);
    assert.deepEqual(f.validators, ['wasm-warden']);
    assert.deepEqual(
      f.findings.map((x: { message: string; offset?: number; source: string }) => [x.message, x.offset, x.source]),
      [[message, at, 'validator']],
    );
    const result = JSON.parse(sarifRun.stdout).runs[0].results[0];
    assert.equal(result.message.text, message);
    assert.equal(result.locations[0].physicalLocation.region.byteOffset, at);
  });

  test('compile -> disassemble -> optimize, each refusing to overwrite without --force', async () => {
    const d = await fixtures(['hi.wat']);
    const c = await cli(['compile', 'hi.wat', '--debug-names'], d);
    assert.equal(c.code, 0, c.stderr);
    const wasm = fs.readFileSync(path.join(d, 'hi.wasm'));
    assert.deepEqual([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
    assert.ok(wasm.includes(Buffer.from('name')), 'name section with --debug-names');
    assert.match(c.stdout, new RegExp(`wrote hi\\.wasm \\(${wasm.length} bytes\\)`));

    fs.writeFileSync(path.join(d, 'hi.wasm'), 'precious');
    const again = await cli(['compile', 'hi.wat'], d);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /hi\.wasm already exists \(use --force to overwrite\)/);
    assert.equal(fs.readFileSync(path.join(d, 'hi.wasm'), 'utf8'), 'precious');
    assert.equal((await cli(['compile', 'hi.wat', '--force', '-o', 'hi.wasm'], d)).code, 0);
    assert.ok(!fs.readFileSync(path.join(d, 'hi.wasm')).includes(Buffer.from('name')), 'no name section by default');

    const dis = await cli(['disassemble', 'hi.wasm', '-o', 'out/hi.wat'], d);
    assert.equal(dis.code, 0, dis.stderr);
    assert.match(fs.readFileSync(path.join(d, 'out', 'hi.wat'), 'utf8'), /\(import "wasi_snapshot_preview1" "fd_write"/);
    assert.equal((await cli(['disassemble', 'hi.wasm', '-o', 'out/hi.wat'], d)).code, 2);

    const opt = await cli(['optimize', 'hi.wasm', '-Oz'], d);
    assert.equal(opt.code, 0, opt.stderr);
    assert.match(opt.stdout, /wrote hi\.opt\.wasm \(-Oz: \d+ -> \d+ bytes/);
    assert.ok(fs.existsSync(path.join(d, 'hi.opt.wasm')));
    assert.equal((await cli(['optimize', 'hi.wasm', '-O3'], d)).code, 2);
    const two = await cli(['optimize', 'hi.wasm', '-O1', '-O2', '--force'], d);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /give one optimization level/);

    const broken = await fixtures(['broken.wat']);
    const bc = await cli(['compile', 'broken.wat'], broken);
    assert.equal(bc.code, 1);
    assert.match(bc.stderr.split('\n')[0], MATCHER);
    assert.ok(!fs.existsSync(path.join(broken, 'broken.wasm')));
  });

  test('inspect: text and JSON', async () => {
    const d = await fixtures(['denied.wasm']);
    const json = await cli(['inspect', 'denied.wasm', '--format', 'json'], d);
    assert.equal(json.code, 0, json.stderr);
    const info = JSON.parse(json.stdout);
    assert.equal(info.file, 'denied.wasm');
    assert.equal(info.kind, 'wasm');
    assert.equal(info.byteLength, fs.statSync(path.join(d, 'denied.wasm')).size);
    assert.deepEqual(info.imports.map((i: { module: string; name: string }) => `${i.module}.${i.name}`), ['wasi_snapshot_preview1.sock_accept']);
    assert.deepEqual(info.imports[0].findings.map((f: { rule: string }) => f.rule), ['wasi-capability-denied']);
    const text = await cli(['inspect', 'denied.wasm'], d);
    assert.match(text.stdout, /wasi_snapshot_preview1\.sock_accept\s+func\s+\(sockets\)\s+error \[wasi-capability-denied\]/);
    assert.match(text.stdout, /^exports \(1\)\n {2}f {2}func 1$/m);
  });
});

describe('policy init, rules, help, version', { concurrency: true }, () => {
  test('policy init writes the default policy once; --baseline allows exactly what the modules use', async () => {
    const d = await fixtures(['mods/denied.wasm', 'mods/hi.wasm', 'other/exit3.wat']);
    const init = await cli(['policy', 'init'], d);
    assert.equal(init.code, 0, init.stderr);
    const def = JSON.parse(fs.readFileSync(path.join(d, 'wasm-warden.policy.json'), 'utf8'));
    assert.equal(def.imports.wasi.sockets, false);
    assert.equal((await cli(['policy', 'init'], d)).code, 2);
    // the default policy in force: the module with a socket import fails
    assert.equal((await cli(['check', 'mods'], d)).code, 1);
    const base = await cli(['policy', 'init', '--baseline', 'mods', '--force'], d);
    assert.equal(base.code, 0, base.stderr);
    assert.match(base.stdout, /baseline of 2 modules/);
    const policy = JSON.parse(fs.readFileSync(path.join(d, 'wasm-warden.policy.json'), 'utf8'));
    assert.deepEqual(policy.imports.allow, ['wasi_snapshot_preview1.fd_write', 'wasi_snapshot_preview1.sock_accept']);
    assert.equal((await cli(['check', 'mods'], d)).code, 0);
    assert.equal(policy.imports.wasi.sockets, true);
    assert.equal(policy.memory.requireMaximum, false, 'one of the modules has a memory without maximum');
    // a module that imports something else is refused by the baseline
    const other = await cli(['check', 'other', '--format', 'json'], d);
    assert.equal(other.code, 1);
    assert.ok(JSON.parse(other.stdout).files[0].findings.some((f: { rule: string; message: string }) => f.rule === 'import-not-allowed' && f.message.includes('proc_exit')));
    assert.equal((await cli(['policy', 'init', '--baseline'], d)).code, 2);
  });

  test('rules lists every rule with its default severity and doc', async () => {
    const r = await cli(['rules', '--format', 'json'], ROOT);
    assert.equal(r.code, 0);
    const list = JSON.parse(r.stdout);
    assert.deepEqual(list.map((x: { id: string }) => x.id), RULES.map((x) => x.id));
    for (const x of list) {
      assert.equal(x.defaultSeverity, RULES.find((y) => y.id === x.id)!.defaultSeverity);
      assert.ok(fs.existsSync(path.join(ROOT, x.doc)), x.doc);
    }
    const text = await cli(['rules'], ROOT);
    assert.equal(text.stdout.trimEnd().split('\n').length, RULES.length);
    assert.match(text.stdout, /^import-not-allowed\s+error\s+Import not allowed by the policy\s+docs\/rules\/import-not-allowed\.md$/m);
  });

  test('--help for every command, --version', async () => {
    const main = await cli(['--help'], ROOT);
    assert.equal(main.code, 0);
    const commands = ['check', 'validate', 'compile', 'disassemble', 'optimize', 'inspect', 'deps', 'keygen', 'sign', 'verify', 'run', 'policy', 'rules'];
    for (const c of commands) assert.match(main.stdout, new RegExp(`^  ${c} `, 'm'));
    const helps = await Promise.all(commands.map((c) => cli([c, '--help'], ROOT)));
    helps.forEach((h, i) => {
      assert.equal(h.code, 0);
      assert.match(h.stdout, new RegExp(`^Usage: wasm-warden ${commands[i]}`, 'm'));
      assert.match(h.stdout, /^Examples:\n {2}wasm-warden /m);
    });
    const v = await cli(['--version'], ROOT);
    assert.equal(v.stdout, `wasm-warden ${pkg.version}\n`);
    assert.equal((await cli([], ROOT)).code, 2);
  });
});

describe('keygen, sign, verify', { concurrency: true }, () => {
  test('round trip (embedded and detached); tampered, unsigned and wrong key fail with 1', async () => {
    const d = await fixtures(['hi.wasm']);
    const kg = await cli(['keygen', '--secret-key', 'secret.key', '--public-key', 'public.key'], d);
    assert.equal(kg.code, 0, kg.stderr);
    assert.equal(fs.statSync(path.join(d, 'secret.key')).mode & 0o077, 0, 'secret key readable by its owner only');
    const again = await cli(['keygen', '--secret-key', 'secret.key', '--public-key', 'public.key'], d);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.equal((await cli(['keygen', '-k', 'other.key', '-K', 'other.pub', '--pem'], d)).code, 0);
    assert.match(fs.readFileSync(path.join(d, 'other.key'), 'utf8'), /-----BEGIN PRIVATE KEY-----/);

    const s = await cli(['sign', 'hi.wasm', '--secret-key', 'secret.key', '-o', 'hi.signed.wasm'], d);
    assert.equal(s.code, 0, s.stderr);
    assert.equal((await cli(['sign', 'hi.wasm', '--secret-key', 'secret.key', '-o', 'hi.signed.wasm'], d)).code, 2);
    const ok = await cli(['verify', 'hi.signed.wasm', '--public-key', 'public.key'], d);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^verified hi\.signed\.wasm \(key public\.key\); key id [0-9a-f]{24} is unverified: key ids are not covered by the signature/m);
    const json = JSON.parse((await cli(['verify', 'hi.signed.wasm', '-K', 'other.pub', '-K', 'public.key', '--format', 'json'], d)).stdout);
    assert.equal(json.verified, true);
    assert.deepEqual(json.verifiedBy, ['public.key']);
    // the key that verified is named the same in the message and the listing (never "key 0" beside "key 1")
    assert.equal(json.message, 'signature valid (public.key)');
    assert.deepEqual(json.entries[0].signatures.map((x: { trustedKey?: string }) => x.trustedKey), ['public.key']);

    const wrong = await cli(['verify', 'hi.signed.wasm', '--public-key', 'other.pub'], d);
    assert.equal(wrong.code, 1);
    const unsigned = await cli(['verify', 'hi.wasm', '--public-key', 'public.key'], d);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stdout, /NOT verified hi\.wasm: no-signature/);

    const bytes = fs.readFileSync(path.join(d, 'hi.signed.wasm'));
    bytes[bytes.length - 5] ^= 0xff; // inside the code/data of the module, after the signature section
    fs.writeFileSync(path.join(d, 'tampered.wasm'), bytes);
    const t = await cli(['verify', 'tampered.wasm', '--public-key', 'public.key'], d);
    assert.equal(t.code, 1);
    assert.match(t.stdout, /NOT verified tampered\.wasm: tampered/);

    const det = await cli(['sign', 'hi.wasm', '-k', 'secret.key', '--detached', 'hi.wasm.sig'], d);
    assert.equal(det.code, 0, det.stderr);
    assert.equal((await cli(['verify', 'hi.wasm', '-K', 'public.key', '--signature', 'hi.wasm.sig'], d)).code, 0);
    assert.equal((await cli(['verify', 'hi.wasm', '-K', 'public.key', '--signature', 'nope.sig'], d)).code, 2);
    assert.equal((await cli(['verify', 'hi.wasm', '-K', 'missing.pub'], d)).code, 2);
    // in place (no -o), and the policy's trusted keys when no --public-key is given
    fs.copyFileSync(path.join(d, 'hi.wasm'), path.join(d, 'inplace.wasm'));
    assert.equal((await cli(['sign', 'inplace.wasm', '-k', 'secret.key'], d)).code, 0);
    assert.equal((await cli(['verify', 'inplace.wasm', '-K', 'public.key'], d)).code, 0);
    const noKeys = await cli(['verify', 'inplace.wasm'], d);
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /no public key/);
    fs.writeFileSync(path.join(d, 'wasm-warden.policy.json'), JSON.stringify({ signature: { trustedKeys: ['public.key'] } }));
    assert.equal((await cli(['verify', 'inplace.wasm'], d)).code, 0);
    fs.writeFileSync(path.join(d, 'junk.pub'), 'not a key');
    const junk = await cli(['verify', 'hi.wasm', '-K', 'junk.pub'], d);
    assert.equal(junk.code, 2);
    assert.doesNotMatch(junk.stderr, /\n\s+at /);
  });

  test('key ids: unverified unless declared (--key-id, --default-key-id); a changed one is refused when declared', async () => {
    const d = await fixtures(['hi.wasm']);
    assert.equal((await cli(['keygen', '-k', 'secret.key', '-K', 'public.key'], d)).code, 0);
    assert.equal((await cli(['sign', 'hi.wasm', '-k', 'secret.key', '--key-id', 'release-1'], d)).code, 0);
    const plain = JSON.parse((await cli(['verify', 'hi.wasm', '-K', 'public.key', '--format', 'json'], d)).stdout);
    const id = Buffer.from('release-1').toString('hex');
    assert.equal(plain.verified, true);
    assert.match(plain.keyIdNote, new RegExp(`key id ${id} is unverified`));
    assert.deepEqual(plain.entries[0].signatures.map((s: { keyId: string; keyIdStatus: string }) => [s.keyId, s.keyIdStatus]), [[id, 'unverified']]);
    const declared = await cli(['verify', 'hi.wasm', '-K', 'public.key', '--key-id', 'release-1'], d);
    assert.equal(declared.code, 0, declared.stdout);
    assert.doesNotMatch(declared.stdout, /unverified/);
    // the key's default key id is not the one the signature carries
    const byDefault = await cli(['verify', 'hi.wasm', '-K', 'public.key', '--default-key-id'], d);
    assert.equal(byDefault.code, 1);
    assert.match(byDefault.stdout, new RegExp(`NOT verified hi\\.wasm: key-id-mismatch: .*carries key id ${id} where the key declares [0-9a-f]{24}: refused`));
    // change the key id's bytes ("release-1" -> "release-2"): still verifies undeclared (said unverified), refused declared
    const bytes = fs.readFileSync(path.join(d, 'hi.wasm'));
    bytes[bytes.indexOf(Buffer.from('release-1')) + 8] = 0x32;
    fs.writeFileSync(path.join(d, 'hi.wasm'), bytes);
    const changed = await cli(['verify', 'hi.wasm', '-K', 'public.key'], d);
    assert.equal(changed.code, 0);
    assert.match(changed.stdout, new RegExp(`key id ${Buffer.from('release-2').toString('hex')} is unverified`));
    const refused = JSON.parse((await cli(['verify', 'hi.wasm', '-K', 'public.key', '--key-id', 'hex:' + id, '--format', 'json'], d)).stdout);
    assert.deepEqual([refused.verified, refused.reason, refused.entries[0].signatures[0].keyIdStatus], [false, 'key-id-mismatch', 'mismatch']);
    const both = await cli(['verify', 'hi.wasm', '-K', 'public.key', '--key-id', 'x', '--default-key-id'], d);
    assert.equal(both.code, 2);
    const badHex = await cli(['verify', 'hi.wasm', '-K', 'public.key', '--key-id', 'hex:xyz'], d);
    assert.equal(badHex.code, 2);
    assert.match(badHex.stderr, /not hex/);
  });

  test('hostile signature and key files: a huge detached signature or key file, a FIFO and a directory are refused before reading', async () => {
    const d = await fixtures(['hi.wasm']);
    assert.equal((await cli(['keygen', '-k', 'secret.key', '-K', 'public.key'], d)).code, 0);
    // sparse files: their size is what a hostile repository would declare, nothing is written to disk
    fs.closeSync(fs.openSync(path.join(d, 'huge.sig'), 'w'));
    fs.truncateSync(path.join(d, 'huge.sig'), 2 * 1024 ** 3);
    fs.closeSync(fs.openSync(path.join(d, 'huge.pub'), 'w'));
    fs.truncateSync(path.join(d, 'huge.pub'), 2 * 1024 ** 3);
    const sig = await cli(['verify', 'hi.wasm', '-K', 'public.key', '--signature', 'huge.sig'], d);
    assert.equal(sig.code, 2);
    assert.match(sig.stderr, /signature file huge\.sig: 2147483648 bytes, more than the 4194304 bytes a signature file can have/);
    const key = await cli(['verify', 'hi.wasm', '-K', 'huge.pub'], d);
    assert.equal(key.code, 2);
    assert.match(key.stderr, /key file huge\.pub: 2147483648 bytes, more than the 65536 bytes a key file can have/);
    execFileSync('mkfifo', [path.join(d, 'fifo.pub')]);
    const fifo = await cli(['verify', 'hi.wasm', '-K', 'fifo.pub'], d);
    assert.equal(fifo.code, 2);
    assert.match(fifo.stderr, /fifo\.pub:? (is )?not a (regular )?file/);
    fs.mkdirSync(path.join(d, 'dir.sig'));
    const dir = await cli(['verify', 'hi.wasm', '-K', 'public.key', '--signature', 'dir.sig'], d);
    assert.equal(dir.code, 2);
  });
});

describe('run', { concurrency: true }, () => {
  test('a WASI module printing "hi": live output, exit 0, --report JSON never overwritten', async () => {
    const d = await fixtures(['hi.wasm', 'hi.wat']);
    const r = await cli(['run', 'hi.wasm', '--report', 'report.json'], d);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const report = JSON.parse(fs.readFileSync(path.join(d, 'report.json'), 'utf8'));
    assert.equal(report.outcome, 'exit');
    assert.equal(report.exitCode, 0);
    assert.equal(report.wasiCalls.fd_write.count, 1);
    assert.equal(report.bytesWritten, 3);
    const again = await cli(['run', 'hi.wat', '--report', 'report.json'], d);
    assert.equal(again.code, 2);
    assert.equal(again.stdout, '', 'the guest did not run');
    const wat = await cli(['run', 'hi.wat', '--report', 'report.json', '--force'], d);
    assert.equal(wat.code, 0, wat.stderr);
    assert.equal(wat.stdout, 'hi\n');
  });

  test('a trap exits 1 with the trap on stderr; the guest exit code is passed through; --invoke prints the result', async () => {
    const d = await fixtures(['trap.wasm', 'exit3.wat', 'add.wat']);
    const [trap, exit3, add] = await Promise.all([
      cli(['run', 'trap.wasm'], d),
      cli(['run', 'exit3.wat'], d),
      cli(['run', 'add.wat', '--invoke', 'add', '40', '2'], d),
    ]);
    assert.equal(trap.code, 1);
    assert.match(trap.stderr, /trap \(unreachable\)/);
    assert.match(trap.stderr, /at \$?boom|at wasm-function\[0\]/);
    assert.equal(exit3.code, 3, exit3.stderr);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout, '42\n');
    // several results, an i64 among them, and a NaN (JSON.stringify threw on the bigint: internal error, exit 3)
    fs.writeFileSync(path.join(d, 'multi.wat'), '(module (func (export "f") (result i32 i64 f64) (i32.const -1) (i64.const 9007199254740993) (f64.div (f64.const 0) (f64.const 0))))');
    const multi = await cli(['run', 'multi.wat', '--invoke', 'f'], d);
    assert.equal(multi.code, 0, multi.stderr);
    assert.equal(multi.stdout, '-1 9007199254740993 NaN\n');
    const bads: [string[], RegExp][] = [
      [['run', 'add.wat', '--timeout', 'soon'], /--timeout must be a whole number/],
      [['run', 'add.wat', '--dir', 'no-such-dir'], /no-such-dir: not a folder/],
      [['run', 'add.wat', '--invoke', 'add', 'x'], /argument "x" is not a number/],
      [['run', 'missing.wasm'], /missing\.wasm: no such file or directory/],
    ];
    for (const [args, message] of bads) {
      const r = await cli(args, d);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });

  test('overlapping mounts: swapping the inner mount\'s folder is refused and reported; the run does not pass', async () => {
    const d = await fixtures(['overlap.wat']);
    fs.mkdirSync(path.join(d, 'app', 'assets'), { recursive: true });
    fs.writeFileSync(path.join(d, 'secret.txt'), 'outside\n');
    // the default policy denies filesystem-write imports (a call would trap first): allowed for this run
    const r = await cli(['run', 'overlap.wat', '--dir', 'app::/app:rw', '--dir', 'app/assets::/assets', '--allow-denied-imports'], d);
    assert.notEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /sandbox violation \(symlink-escape\): symlink \/app\/assets -> \.\. would leave \/app/);
    assert.match(r.stderr, /sandbox violation \(path-escape\): \/assets: the mount's host folder was moved, removed or replaced/);
    assert.equal(fs.readlinkSync(path.join(d, 'app', 'assets')), 'away', 'the link the guest could make stays inside /app');
    assert.equal(fs.readFileSync(path.join(d, 'secret.txt'), 'utf8'), 'outside\n');
  });

  test('--max-write: the write quota (EDQUOT and a write-limit violation past it)', async () => {
    const d = await fixtures(['grow.wat']);
    fs.mkdirSync(path.join(d, 'out1'));
    fs.mkdirSync(path.join(d, 'out2'));
    const [under, over, bad] = await Promise.all([
      cli(['run', 'grow.wat', '--dir', 'out1::/out:rw'], d),
      cli(['run', 'grow.wat', '--dir', 'out2::/out:rw', '--max-write', '4095', '--report', 'r.json'], d),
      cli(['run', 'grow.wat', '--max-write', '1e6'], d),
    ]);
    assert.equal(under.code, 0, under.stderr);
    assert.equal(over.code, 19, 'the guest exits with EDQUOT');
    assert.match(over.stderr, /sandbox violation \(write-limit\): fd_write on \/out\/out\.bin would add 4096 bytes; the run may add 4095 bytes/);
    const report = JSON.parse(fs.readFileSync(path.join(d, 'r.json'), 'utf8'));
    assert.equal(report.options.maxWriteBytes, 4095);
    assert.deepEqual(report.violations.map((v: { kind: string }) => v.kind), ['write-limit']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-write must be a whole number/);
    // the policy's sandbox.maxWriteBytes, and the flag over it
    const p = await fixtures(['grow.wat']);
    fs.mkdirSync(path.join(p, 'out'));
    fs.writeFileSync(path.join(p, 'wasm-warden.policy.json'), JSON.stringify({ sandbox: { dirs: [{ host: 'out', guest: '/out', readOnly: false }], maxWriteBytes: 300 } }));
    // 300 bytes: room for the new name (ENTRY_QUOTA_BYTES and its length), not for the data
    const policy = await cli(['run', 'grow.wat'], p);
    assert.equal(policy.code, 19, policy.stderr);
    assert.match(policy.stderr, /the run may add 300 bytes/);
    assert.equal(fs.statSync(path.join(p, 'out', 'out.bin')).size, 0);
    const flag = await cli(['run', 'grow.wat', '--max-write', '4096'], p);
    assert.equal(flag.code, 0, flag.stderr);
    assert.equal(fs.statSync(path.join(p, 'out', 'out.bin')).size, 4096);
  });
});

describe('run: hostile guests and policies', { concurrency: true }, () => {
  const OPEN = '(import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))';
  const EXIT = '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))';
  /** a guest that opens `pathWat` (WAT string contents, an absolute path: a violation), then exits with `code` */
  const violateThenExit = (pathWat: string, length: number, code: number) => `(module ${OPEN} ${EXIT} (memory (export "memory") 1)
  (data (i32.const 100) "${pathWat}")
  (func (export "_start")
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const ${length}) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 40)))
    (call $exit (i32.const ${code}))))`;
  const folder = (files: Record<string, string>): string => {
    const d = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'wasm-warden-cli-run-'));
    dirs.push(d);
    fs.mkdirSync(path.join(d, 'data'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(d, name), text);
    return d;
  };

  test('exit status: a violation then proc_exit(256) exits 1 (never 0), 3 stays 3, proc_exit(f64) is refused at link time', async () => {
    const d = folder({
      'v256.wat': violateThenExit('/etc/passwd', 11, 256),
      'v3.wat': violateThenExit('/etc/passwd', 11, 3),
      'neg.wat': `(module ${EXIT} (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const -256))))`,
      'f64.wat': '(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param f64))) (memory (export "memory") 1) (func (export "_start") (call $exit (f64.const 1.5))))',
    });
    const [v256, v3, neg, f64] = await Promise.all(['v256', 'v3', 'neg', 'f64'].map((n) => cli(['run', `${n}.wat`, '--dir', 'data::/data', '--report', `${n}.json`], d)));
    assert.equal(v256.code, 1, v256.stderr);
    assert.match(v256.stderr, /the guest exited with code 256, which is outside 1-125/);
    assert.match(v256.stderr, /1 sandbox violation\(s\): absolute-path x1/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(d, 'v256.json'), 'utf8')).exitCode, 256);
    assert.equal(v3.code, 3, v3.stderr);
    assert.equal(neg.code, 1, neg.stderr);
    assert.equal(f64.code, 2, f64.stderr);
    assert.match(f64.stderr, /refused to link: wrong type for wasi_snapshot_preview1\.proc_exit: expected \(i32\) -> \(\), imported as \(f64\) -> \(\)/);
    assert.doesNotMatch(f64.stderr, /\n\s+at /, 'no host stack trace');
  });

  test('violation details with control characters cannot erase or fake our lines', async () => {
    const fake = '/x\\0d\\1b[2K\\1b[1Awasm-warden run: no violations\\e2\\80\\ae';
    const d = folder({ 'inject.wat': violateThenExit(fake, 2 + 1 + 4 + 4 + 30 + 3, 0) });
    const r = await cli(['run', 'inject.wat', '--dir', 'data::/data'], d);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /[\r\x1b\u202e]/, 'no raw control or bidi character from the guest');
    assert.match(r.stderr, /sandbox violation \(absolute-path\): \/x\\r\\x1b\[2K\\x1b\[1Awasm-warden run: no violations\\u\{202e\}/);
    assert.match(r.stderr, /the guest exited 0 but the sandbox recorded 1 violation/);
  });

  test('on a terminal, guest output keeps colours and newlines but cannot move the cursor or erase; our summary comes after it', { skip: !hasScript() && 'needs script(1) for a pseudo-terminal' }, async () => {
    const d = folder({
      'paint.wat': `(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) ${OPEN}
  (memory (export "memory") 1)
  (data (i32.const 100) "\\1b[31mred\\1b[0m\\0a\\1b[1A\\1b[2K\\0dfake")
  (data (i32.const 200) "/etc/passwd")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 26))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 40)))))`,
    });
    const out = await inTty(`node ${JSON.stringify(BIN)} run paint.wat --dir data::/data`, d);
    assert.ok(out.includes('\x1b[31mred\x1b[0m'), JSON.stringify(out));
    assert.ok(out.includes('\\x1b[1A\\x1b[2K\\rfake'), JSON.stringify(out));
    assert.doesNotMatch(out, /\x1b\[1A|\x1b\[2K/);
    assert.match(out, /fake\x1b\[0m\r?\nwasm-warden: sandbox violation \(absolute-path\)/);
  });

  test('the policy\'s sandbox.env: names (never values) on stderr, values kept out of the report; --env replaces it', async () => {
    const d = folder({
      'wasm-warden.policy.json': JSON.stringify({ sandbox: { env: ['WARDEN_CLI_SECRET', 'WARDEN_CLI_UNSET'] } }),
      'env.wat': `(module
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)))))`,
    });
    const env = { WARDEN_CLI_SECRET: 's3cr3t-value', WARDEN_CLI_UNSET: undefined };
    const r = await cli(['run', 'env.wat', '--report', 'r.json'], d, env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'WARDEN_CLI_SECRET=s3cr3t-value\0', 'the CLI user runs it: the policy\'s variable is passed');
    assert.match(r.stderr, /the policy \S*wasm-warden\.policy\.json passes host environment variable\(s\) to the guest \(sandbox\.env\): WARDEN_CLI_SECRET\n/);
    assert.doesNotMatch(r.stderr, /s3cr3t/);
    const report = JSON.parse(fs.readFileSync(path.join(d, 'r.json'), 'utf8'));
    assert.equal(report.stdout, 'WARDEN_CLI_SECRET=s3cr3t-value\0', 'what the guest printed is its output');
    assert.doesNotMatch(JSON.stringify({ ...report, stdout: '' }), /s3cr3t/, 'the options show the name, not the value');
    assert.deepEqual(report.policyHostEnv, ['WARDEN_CLI_SECRET']);
    const own = await cli(['run', 'env.wat', '--env', 'A=1'], d, env);
    assert.equal(own.stdout, 'A=1\0');
    assert.doesNotMatch(own.stderr, /passes host environment/);
    const help = await cli(['run', '--help'], d);
    assert.match(help.stdout + help.stderr, /Without --env, the variables named in the nearest policy's sandbox\.env/);
  });

  test('the policy\'s sandbox.dirs: each mount it gives the guest is said on stderr (host, guest, access); --dir replaces them', async () => {
    const d = folder({
      'wasm-warden.policy.json': JSON.stringify({ sandbox: { dirs: [{ host: 'data', guest: '/data', readOnly: false }, { host: '.', guest: '/src' }] } }),
      'data/x.txt': 'x',
      'nop.wat': '(module (memory (export "memory") 1) (func (export "_start")))',
    });
    const r = await cli(['run', 'nop.wat'], d);
    assert.equal(r.code, 0, r.stderr);
    const real = fs.realpathSync(d);
    const said = r.stderr.split('\n').filter((l) => / mounts /.test(l)).map((l) => l.replace(/^.* mounts /, '').replace(real, '<d>').replace(d, '<d>'));
    assert.deepEqual(said, [`<d>${path.sep}data as /data (read-write) (sandbox.dirs)`, '<d> as /src (read-only) (sandbox.dirs)']);
    const own = await cli(['run', 'nop.wat', '--dir', 'data::/d'], d);
    assert.equal(own.code, 0, own.stderr);
    assert.doesNotMatch(own.stderr, / mounts /);
    const help = await cli(['run', '--help'], d);
    assert.match(help.stdout + help.stderr, /Without --dir, the mounts in the policy's sandbox\.dirs are used/);
  });
});
});
