/**
 * A module's dependency report as a CycloneDX 1.5 JSON SBOM: the module itself (with its SHA-256) as the
 * metadata component; Rust crates (cargo-auditable) as `library` components with `pkg:cargo` package URLs
 * and their dependency graph; the toolchain (`producers`) as `application` components with scope
 * `excluded` (they built the module and do not ship in it); the import providers as `platform` components
 * the module requires at run time.
 */
import { randomUUID } from 'crypto';
import type { DependencyReport } from '../operations/deps';

export interface CycloneDxOptions {
  toolVersion: string;
  /** ISO timestamp (tests pass a fixed one) */
  timestamp?: string;
  serialNumber?: string;
}

const ref = (kind: string, ...parts: string[]) => `${kind}:${parts.map((p) => encodeURIComponent(p)).join('@')}`;

function purlCargo(name: string, version: string, source: string): string {
  const base = `pkg:cargo/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
  return source === 'crates.io' || source === 'unknown' ? base : `${base}?source=${encodeURIComponent(source)}`;
}

export function toCycloneDx(report: DependencyReport, o: CycloneDxOptions): Record<string, unknown> {
  const rootRef = ref('module', report.name);
  const components: Record<string, unknown>[] = [];
  const dependencies: { ref: string; dependsOn: string[] }[] = [];
  const rootDeps = new Set<string>();

  const rust = report.rust?.packages ?? [];
  const rustRefs = rust.map((p, i) => ref('cargo', p.name, p.version) + (rust.findIndex((q) => q.name === p.name && q.version === p.version) === i ? '' : `#${i}`));
  rust.forEach((p, i) => {
    if (p.root) {
      // the crate the module was built from: its dependencies are the module's
      for (const d of p.dependencies) rootDeps.add(rustRefs[d]);
      return;
    }
    components.push({
      type: 'library',
      'bom-ref': rustRefs[i],
      name: p.name,
      version: p.version,
      scope: p.kind === 'build' ? 'excluded' : 'required',
      purl: purlCargo(p.name, p.version, p.source),
      properties: [{ name: 'wasm-warden:cargo-source', value: p.source }],
    });
  });
  rust.forEach((p, i) => {
    if (!p.root) dependencies.push({ ref: rustRefs[i], dependsOn: [...new Set(p.dependencies.filter((d) => !rust[d].root).map((d) => rustRefs[d]))] });
  });
  if (!rust.some((p) => p.root)) for (let i = 0; i < rust.length; i++) rootDeps.add(rustRefs[i]);

  report.toolchain.forEach((t, i) => {
    components.push({
      type: 'application',
      'bom-ref': ref('producer', t.field, t.name, t.version) + `#${i}`,
      name: t.name,
      ...(t.version && { version: t.version }),
      scope: 'excluded',
      description: t.field === 'language' ? 'source language' : t.field === 'sdk' ? 'SDK that built the module' : 'tool that processed the module',
      properties: [{ name: 'wasm-warden:producers-field', value: t.field }],
    });
  });

  for (const g of report.providers) {
    const r = ref('provider', g.provider.id === 'host' ? `host-${g.imports[0]?.module ?? ''}` : g.provider.id);
    components.push({
      type: 'platform',
      'bom-ref': r,
      name: g.provider.name,
      scope: 'required',
      description: `Provides ${g.imports.length} import${g.imports.length === 1 ? '' : 's'}: ${g.provider.description}`,
      properties: g.imports.slice(0, 200).map((imp) => ({ name: 'wasm-warden:import', value: `${imp.module}.${imp.name}` })),
    });
    rootDeps.add(r);
  }

  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: o.serialNumber ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: o.timestamp ?? new Date().toISOString(),
      tools: { components: [{ type: 'application', name: 'wasm-warden', version: o.toolVersion }] },
      component: {
        type: 'application',
        'bom-ref': rootRef,
        name: report.name,
        hashes: [{ alg: 'SHA-256', content: report.sha256 }],
        properties: [
          { name: 'wasm-warden:kind', value: report.kind },
          { name: 'wasm-warden:byte-length', value: String(report.byteLength) },
        ],
      },
    },
    components,
    dependencies: [{ ref: rootRef, dependsOn: [...rootDeps] }, ...dependencies],
  };
}
