/**
 * A short plain-text summary of a read module: sizes, counts, memories, features, problems.
 * Used for hovers, the CLI and the head of the WAT view.
 */
import { memoryMaxBytes, memoryMinBytes, type Limits } from '../model';
import type { WasmReadResult } from './reader';
import { commentText } from './wat-strings';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

function limitsSummary(l: Limits, unit: 'pages' | 'elements'): string {
  let s = `${l.min}${l.max !== undefined ? `..${l.max}` : '..'} ${unit}`;
  if (unit === 'pages') {
    const max = memoryMaxBytes(l);
    s += ` (${formatBytes(memoryMinBytes(l))}${max !== undefined ? ` to ${formatBytes(max)}` : ', no maximum'})`;
    if (l.pageSizeLog2 !== 16) s += `, page size ${2 ** l.pageSizeLog2}`;
  }
  if (l.shared) s += ', shared';
  if (l.index64) s += ', 64-bit';
  return s;
}

export function summarizeModule(read: WasmReadResult, fileSize: number): string {
  const m = read.model;
  const lines: string[] = [];
  if (m.kind === 'component') {
    const c = m.component;
    lines.push(`WebAssembly component, ${formatBytes(fileSize)} (${fileSize} bytes), ${m.sections?.length ?? 0} top-level sections`);
    if (c) {
      lines.push(`imports ${c.imports.length}, exports ${c.exports.length}, core modules ${c.modules.length}, nested components ${c.components.length}, canonical functions ${c.canons.length}`);
    }
  } else {
    lines.push(`WebAssembly module${m.id ? ' ' + commentText(m.id) : ''}, ${formatBytes(fileSize)} (${fileSize} bytes)`);
    const byKind = new Map<string, number>();
    for (const i of m.imports) byKind.set(i.kind, (byKind.get(i.kind) ?? 0) + 1);
    const importKinds = [...byKind].map(([k, n]) => `${k} ${n}`).join(', ');
    const defined = m.funcs.filter((f) => !f.imported);
    const code = m.sections?.find((s) => s.id === 10)?.size ?? 0;
    lines.push(
      `types ${m.types.length}, imports ${m.imports.length}${importKinds ? ` (${importKinds})` : ''}, functions ${defined.length} defined (code ${formatBytes(code)}), exports ${m.exports.length}`,
    );
    lines.push(
      `tables ${m.tables.length}, memories ${m.memories.length}, globals ${m.globals.length}, tags ${m.tags.length}, data segments ${m.data.length} (${formatBytes(m.data.reduce((a, d) => a + d.size, 0))}), elem segments ${m.elems.length}`,
    );
    for (const mem of m.memories.slice(0, 8)) {
      const from = mem.imported ? ` (imported ${commentText(mem.imported.module)}.${commentText(mem.imported.name)})` : '';
      lines.push(`memory ${mem.index}: ${limitsSummary(mem.limits, 'pages')}${from}`);
    }
    if (m.memories.length > 8) lines.push(`... ${m.memories.length - 8} more memories`);
    if (m.start) lines.push(`start function ${m.start.func}`);
    lines.push(`features: ${m.features.length ? m.features.join(', ') : 'none beyond MVP detected'}`);
  }
  if (m.customSections.length) {
    const shown = m.customSections.slice(0, 10).map((c) => `${commentText(c.name)} (${formatBytes(c.size)})`);
    const more = m.customSections.length - shown.length + (m.customSectionsOmitted?.count ?? 0);
    lines.push(`custom sections: ${shown.join(', ')}${more > 0 ? `, ... ${more} more` : ''}`);
  }
  const errors = read.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = read.diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors || warnings) lines.push(`problems: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return lines.join('\n');
}
