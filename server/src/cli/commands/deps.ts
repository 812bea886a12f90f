/** `deps`: who provides each import, the toolchain and the Rust crates of a module; text, JSON or a CycloneDX 1.5 SBOM. */
import * as fs from 'fs';
import { dependencyReport, type DependencyReport } from '../../engine/operations/deps';
import { toCycloneDx } from '../../engine/deps/cyclonedx';
import { preambleKind } from '../../engine/binary/sections';
import { oneOf, parseArgs } from '../args';
import { CliError } from '../errors';
import { paint, type Io } from '../io';
import { requireFile } from '../inputs';
import { displayPath } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

export const deps: CommandDef = {
  name: 'deps',
  summary: 'list what a module depends on: import providers, toolchain, Rust crates (text, JSON or a CycloneDX SBOM)',
  usage: 'wasm-warden deps <file.wasm> [--format text|json|cyclonedx]',
  flags: {
    format: { type: 'string', value: 'text|json|cyclonedx', description: 'output format (default text); cyclonedx: a CycloneDX 1.5 JSON SBOM' },
  },
  details: [
    'Providers are recognised from import names: WASI preview1 and 0.2, Emscripten and wasm-bindgen JS glue, Go (gojs),',
    'AssemblyScript (env.abort), Extism, minified glue; others are named by their import module. The toolchain comes',
    'from the `producers` section, Rust crates from cargo-auditable data (the `.dep-v0` section) when present.',
    'Exit codes: 0 listed, 2 usage or input error (missing file, not a WebAssembly binary).',
  ],
  examples: ['wasm-warden deps app.wasm', 'wasm-warden deps app.wasm --format cyclonedx > app.cdx.json', 'wasm-warden deps app.wasm --format json | jq .toolchain'],
  async run(argv, io, ctx) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'deps');
    const format = oneOf(p, 'format', ['text', 'json', 'cyclonedx'] as const, 'text', 'deps');
    if (p.positionals.length !== 1) throw new CliError(`deps: expected one input file, got ${p.positionals.length}`);
    const file = requireFile(p.positionals[0], 'deps');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      throw new CliError(`deps: ${displayPath(file)}: ${(e as Error).message}`);
    }
    try {
      preambleKind(bytes);
    } catch (e) {
      throw new CliError(`deps: ${displayPath(file)}: ${(e as Error).message}`);
    }
    const report = dependencyReport(file, bytes);
    if (format === 'cyclonedx') io.out(JSON.stringify(toCycloneDx(report, { toolVersion: ctx.version }), null, 2) + '\n');
    else if (format === 'json') io.out(JSON.stringify({ ...report, file: displayPath(report.file) }, null, 2) + '\n');
    else io.out(depsText(report, io));
    return 0;
  },
};

function depsText(r: DependencyReport, io: Io): string {
  const h = (s: string) => paint(io, 'bold', s);
  const lines = [`${h(displayPath(r.file))}  ${r.kind}, ${r.byteLength} bytes, sha256 ${r.sha256}`];
  lines.push(h(`import providers (${r.providers.length})`));
  for (const g of r.providers) {
    lines.push(`  ${g.provider.name}: ${g.imports.length} import${g.imports.length === 1 ? '' : 's'}, needs ${g.provider.description}`);
    const shown = g.imports.slice(0, 8).map((i) => `${i.module}.${i.name}`);
    lines.push(`    ${shown.join(', ')}${g.imports.length > shown.length ? `, ... (${g.imports.length - shown.length} more)` : ''}`);
  }
  lines.push(h(`toolchain (${r.toolchain.length})`));
  if (!r.toolchain.length) lines.push('  unknown: the module has no producers section');
  for (const t of r.toolchain) lines.push(`  ${t.field.padEnd(12)} ${t.name}${t.version ? ` ${t.version}` : ''}`);
  if (r.rust) {
    lines.push(h(`Rust crates, from cargo-auditable (${r.rust.packages.length})`));
    for (const c of r.rust.packages) lines.push(`  ${c.name} ${c.version}  ${c.source}${c.kind === 'build' ? ' (build)' : ''}${c.root ? ' (root)' : ''}`);
  } else {
    lines.push(paint(io, 'gray', 'Rust crates: no cargo-auditable data (.dep-v0 section)'));
  }
  for (const n of r.notes) lines.push(paint(io, 'yellow', `note: ${n}`));
  return lines.join('\n') + '\n';
}
