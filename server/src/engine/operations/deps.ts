/**
 * The `deps` operation: what a module depends on. Who provides each import (engine/deps/import-providers),
 * the toolchain from the `producers` section, and the Rust crates cargo-auditable recorded in `.dep-v0`.
 * The CLI prints it as text, JSON or a CycloneDX SBOM (engine/deps/cyclonedx); the `.wasm` summary shows it.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readWasm } from '../binary/reader';
import { visitRawSections } from '../binary/sections';
import type { FileSections } from '../binary/reader';
import type { ModuleModel } from '../model';
import { groupImportsByProvider, type ProviderGroup } from '../deps/import-providers';
import { readProducers, type Producer } from '../deps/producers';
import { CARGO_AUDITABLE_SECTION, readCargoAuditable, type RustPackage } from '../deps/cargo-auditable';

export interface Dependencies {
  providers: ProviderGroup[];
  toolchain: Producer[];
  /** present when the module carries cargo-auditable data */
  rust?: { packages: RustPackage[] };
  /** problems reading the sections (malformed producers, a bad `.dep-v0`) */
  notes: string[];
}

export interface DependencyReport extends Dependencies {
  file: string;
  /** the file's base name */
  name: string;
  kind: 'module' | 'component';
  byteLength: number;
  sha256: string;
}

/** Largest custom section read for the report (producers and `.dep-v0` are kilobytes). */
const MAX_SECTION_BYTES = 16 * 1024 * 1024;

/** A custom section's payload (after its name), from the whole bytes or a header read's file sections. */
export type CustomPayload = (name: string) => Uint8Array | undefined;

/** Custom payloads from a module's whole bytes. */
export function customPayloadsOf(bytes: Uint8Array): CustomPayload {
  const found = new Map<string, Uint8Array>();
  try {
    visitRawSections(bytes, (h) => {
      if (h.id !== 0) return;
      const name = Buffer.from(bytes.subarray(h.nameOffset, h.contentOffset)).toString('utf8');
      if ((name === 'producers' || name === CARGO_AUDITABLE_SECTION) && !found.has(name)) found.set(name, bytes.subarray(h.contentOffset, h.end));
    });
  } catch {
    /* a malformed module: the sections before the problem are kept */
  }
  return (name) => found.get(name);
}

/** Custom payloads from a header read (each section read from the file when asked for). */
export function customPayloadsFromFile(model: ModuleModel, file: FileSections): CustomPayload {
  return (name) => {
    const c = model.customSections.find((s) => s.name === name);
    if (!c || c.size > MAX_SECTION_BYTES) return undefined;
    const section = file.sections.find((s) => s.offset === c.span.start);
    if (!section) return undefined;
    const payload = file.load(section);
    // skip the name (LEB128 length + bytes) at the head of the payload
    let len = 0;
    let shift = 0;
    let p = 0;
    for (; p < 5 && p < payload.length; p++) {
      len |= (payload[p] & 0x7f) << shift;
      shift += 7;
      if (!(payload[p] & 0x80)) break;
    }
    return payload.subarray(p + 1 + len);
  };
}

export function dependenciesOf(model: ModuleModel, payload: CustomPayload): Dependencies {
  const notes: string[] = [];
  const out: Dependencies = { providers: groupImportsByProvider(model.imports), toolchain: [], notes };
  const producers = payload('producers');
  if (producers) {
    const p = readProducers(producers, 0, producers.length);
    out.toolchain = p.producers;
    if (p.error) notes.push(p.error);
  }
  const dep = payload(CARGO_AUDITABLE_SECTION);
  if (dep) {
    const r = readCargoAuditable(dep);
    out.rust = { packages: r.packages };
    if (r.error) notes.push(r.error);
  }
  return out;
}

/** The report of one `.wasm` file (read whole: the SBOM carries its digest). Throws on I/O errors only. */
export function dependencyReport(file: string, bytes?: Uint8Array): DependencyReport {
  const data = bytes ?? new Uint8Array(fs.readFileSync(file));
  const read = readWasm(data, { bodies: false, data: false, ids: false, names: false });
  const model = read.model;
  const deps: Dependencies = model.kind === 'module' ? dependenciesOf(model, customPayloadsOf(data)) : { providers: [], toolchain: [], notes: ['a component: its imports are not modelled yet'] };
  for (const d of read.diagnostics) if (d.severity === 'error') deps.notes.push(d.message);
  return {
    file: path.resolve(file),
    name: path.basename(file),
    kind: model.kind,
    byteLength: data.length,
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    ...deps,
  };
}
