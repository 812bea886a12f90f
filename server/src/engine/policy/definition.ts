/**
 * THE definition of the security policy (`wasm-warden.policy.json`).
 *
 * One description (`POLICY_DEFINITION`, a tree of typed nodes) gives:
 * - the TypeScript type `Policy` (inferred from the tree, so it cannot drift),
 * - the JSON schema (`policySchema()`, written to `dist/policy.schema.json` by scripts/generate.ts),
 * - the loader's validation and its diagnostics (load.ts walks the same tree),
 * - the defaults (`DEFAULT_POLICY`, from the nodes' `default`s).
 *
 * A policy file is layered over DEFAULT_POLICY: a key the file leaves out keeps its default.
 */
import type { Feature } from '../model';
import { WASI_CAPABILITIES, WASI_CAPABILITY_DOCS, type WasiCapability } from '../wasi';
import { ALERT_ACTIONS, ALERT_METRICS, ALERT_SEVERITIES, DEFAULT_ALERT_RULES } from '../sandbox/alert-rules';

// ---------------------------------------------------------------------------------------------
// The node kinds of the description

export type StringFormat = 'name-glob' | 'path-glob' | 'sha256' | 'path';

export interface BooleanNode {
  kind: 'boolean';
  description: string;
  default?: boolean;
}
export interface IntegerNode {
  kind: 'integer';
  description: string;
  minimum?: number;
  default?: number;
}
export interface StringNode {
  kind: 'string';
  description: string;
  format?: StringFormat;
  default?: string;
}
export interface EnumNode<V extends string = string> {
  kind: 'enum';
  description: string;
  values: readonly V[];
  default?: V;
}
export interface ArrayNode<I extends DefNode = DefNode> {
  kind: 'array';
  description: string;
  items: I;
  default?: unknown[];
}
export interface ObjectNode<P extends Record<string, DefNode> = Record<string, DefNode>> {
  kind: 'object';
  description: string;
  properties: P;
  required?: readonly (keyof P & string)[];
}
/** An object with free keys (globs, rule ids) and values of one kind. */
export interface RecordNode<V extends DefNode = DefNode> {
  kind: 'record';
  description: string;
  /** path-glob: checked as a glob; rule-id: a rule's id; path: a relative path (no check beyond non-empty) */
  keyFormat: 'path-glob' | 'rule-id' | 'path';
  values: V;
}
export type DefNode = BooleanNode | IntegerNode | StringNode | EnumNode | ArrayNode | ObjectNode | RecordNode;

/** The TypeScript type a node describes. Every object property is optional in a policy file. */
export type Infer<N> = N extends BooleanNode
  ? boolean
  : N extends IntegerNode
    ? number
    : N extends StringNode
      ? string
      : N extends EnumNode<infer V>
        ? V
        : N extends ArrayNode<infer I>
          ? Infer<I>[]
          : N extends ObjectNode<infer P>
            ? { [K in keyof P]?: Infer<P[K]> }
            : N extends RecordNode<infer V>
              ? Record<string, Infer<V>>
              : never;

const bool = (description: string, dflt?: boolean): BooleanNode => ({ kind: 'boolean', description, default: dflt });
const int = (description: string, minimum = 0, dflt?: number): IntegerNode => ({
  kind: 'integer',
  description,
  minimum,
  default: dflt,
});
const str = (description: string, format?: StringFormat): StringNode => ({ kind: 'string', description, format });
const list = <I extends DefNode>(description: string, items: I, dflt?: unknown[]): ArrayNode<I> => ({
  kind: 'array',
  description,
  items,
  default: dflt,
});
const obj = <P extends Record<string, DefNode>>(
  description: string,
  properties: P,
  required?: readonly (keyof P & string)[],
): ObjectNode<P> => ({ kind: 'object', description, properties, required });
const oneOf = <const V extends string>(description: string, values: readonly V[], dflt?: V): EnumNode<V> => ({
  kind: 'enum',
  description,
  values,
  default: dflt,
});

// ---------------------------------------------------------------------------------------------
// Constants the definition refers to

/** Every Feature of model.ts, at run time (checked against the type below). */
export const FEATURES = [
  'threads',
  'memory64',
  'multi-memory',
  'exceptions',
  'gc',
  'reference-types',
  'simd',
  'tail-call',
  'bulk-memory',
  'multi-value',
  'custom-page-sizes',
  'function-references',
  'extended-const',
  'relaxed-simd',
] as const satisfies readonly Feature[];
// Fails to compile when model.ts gains a Feature this list lacks.
type MissingFeature = Exclude<Feature, (typeof FEATURES)[number]>;
const featuresComplete: [MissingFeature] extends [never] ? true : MissingFeature = true;
void featuresComplete;

export const RULE_SEVERITIES = ['error', 'warning', 'info', 'off'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

export const MIB = 1024 * 1024;

/** Groups the default policy turns off. */
const DENIED_BY_DEFAULT: readonly WasiCapability[] = ['filesystem-write', 'sockets', 'http-outgoing'];

function wasiSwitches() {
  const props = {} as Record<WasiCapability | 'unknown', BooleanNode>;
  for (const group of WASI_CAPABILITIES) {
    props[group] = bool(
      `Allow WASI imports that ${WASI_CAPABILITY_DOCS[group]} (preview1 functions and component interfaces).`,
      !DENIED_BY_DEFAULT.includes(group),
    );
  }
  props.unknown = bool(
    'Allow imports from `wasi*` modules that are not in the WASI catalog (e.g. WasmEdge extensions such as sock_open).',
    false,
  );
  return obj('WASI capability switches, by group: `true` allows the group, `false` denies it.', props);
}

// ---------------------------------------------------------------------------------------------
// The sections

const imports = obj('What a module may import.', {
  allow: list(
    'If present, only imports matching one of these `module.name` globs are allowed (e.g. `env.*`, `wasi_snapshot_preview1.fd_*`).',
    str('A `module.name` glob.', 'name-glob'),
  ),
  deny: list(
    'Imports matching one of these `module.name` globs are refused; deny wins over allow.',
    str('A `module.name` glob.', 'name-glob'),
    [],
  ),
  wasi: wasiSwitches(),
  nestedModules: bool(
    'Components: also check the imports of the core modules inside a component (its internal wiring, e.g. the WASI preview1 adapter\'s) with the core-module rules. Off: only the component\'s own imports are checked.',
    false,
  ),
});

const memory = obj('Limits on linear memories, defined or imported (sizes take the page size into account).', {
  maxPages: int('Largest allowed memory size, in pages of the memory\'s own page size (64 KiB unless custom-page-sizes).'),
  maxBytes: int('Largest allowed memory size in bytes (the declared maximum, or the minimum when unbounded).', 0, 256 * MIB),
  requireMaximum: bool('Every memory must declare a maximum size.', true),
  allowShared: bool('Allow shared memories (threads).', false),
  allowMemory64: bool('Allow 64-bit memories (memory64).', true),
  maxMemories: int('Largest number of memories (defined plus imported).'),
});

const tables = obj('Limits on tables, defined or imported.', {
  maxElements: int('Largest allowed table size, in elements (the declared maximum, or the minimum when unbounded).'),
  requireMaximum: bool('Every table must declare a maximum size.', false),
});

const exportsSection = obj('What a module must or must not export.', {
  required: list('Every one of these export-name globs must match at least one export (e.g. `_start`).', str('An export-name glob.', 'name-glob'), []),
  forbidden: list('Exports whose name matches one of these globs are refused.', str('An export-name glob.', 'name-glob'), []),
  allowMemoryExport: bool('Allow exporting a memory.', true),
  allowTableExport: bool('Allow exporting a table.', true),
});

const startFunction = obj('The start function, which runs as soon as the module is instantiated.', {
  allowed: bool('Allow a start function.', true),
});

const customSections = obj('Custom sections (debug info, names, source maps, producers...).', {
  forbidden: list('Custom sections whose name matches one of these globs are refused (e.g. `.debug_*`, `sourceMappingURL`, `name`).', str('A section-name glob.', 'name-glob'), []),
  maxBytes: int('Largest allowed size of one custom section, in bytes.'),
  required: list('Every one of these section-name globs must match at least one custom section.', str('A section-name glob.', 'name-glob'), []),
});

const features = obj('WebAssembly proposals a module may use.', {
  deny: list('Features that are refused.', oneOf('A feature name.', FEATURES), []),
});

const signature = obj('Signatures (wasmsign2-compatible).', {
  required: bool('Every module must carry a valid signature from a trusted key.', false),
  trustedKeys: list('Public key files, relative to the policy file.', str('A key file path, relative to the policy file.', 'path'), []),
});

const integrity: RecordNode<ArrayNode<StringNode>> = {
  kind: 'record',
  description: 'Pinned module digests: a path glob (relative to the workspace) -> the allowed SHA-256 digests (hex).',
  keyFormat: 'path-glob',
  values: list('Allowed SHA-256 digests (64 hex digits).', str('A SHA-256 digest in hex.', 'sha256')),
};

const code = obj(
  'Code rules: what the function bodies and data segments of a binary hold. Read only when `scan` is on; the import-based code rules (host-code-execution, capability-combination) run either way.',
  {
    scan: bool(
      'Read the function bodies and data segments of `.wasm` files for the code rules (hash-kernel, mining-kernel, network-endpoint, suspicious-string, packed-payload, high-entropy-data). Off: a check reads only the section headers it needs.',
      false,
    ),
    allowedEndpoints: list(
      'Hosts the data of a module may name: globs over host names and IP addresses (e.g. `api.example.com`, `*.example.com`, `10.0.0.*`). Endpoints that match none are reported by network-endpoint.',
      str('A host glob.', 'name-glob'),
      [],
    ),
    packedMinBytes: int('Smallest data segment, in bytes, that high-entropy-data and packed-payload look at.', 1, 16384),
  },
);

const sandbox = obj('Limits for sandboxed runs.', {
  dirs: list(
    'Directories the guest may see.',
    obj(
      'A host directory mounted in the guest.',
      {
        host: str('Host directory, relative to the policy file.', 'path'),
        guest: str('Where the guest sees it (e.g. `/data`).', 'path'),
        readOnly: bool('The guest may only read it.', true),
      },
      ['host', 'guest'],
    ),
    [],
  ),
  env: list('Names of host environment variables passed to the guest.', str('An environment variable name.'), []),
  timeoutMs: int('Wall-clock limit of a run, in milliseconds.', 1, 10_000),
  maxMemoryBytes: int('Largest linear memory of a run, in bytes.', 0, 256 * MIB),
  fuel: int('Instruction budget of a run (absent: unlimited).', 1),
  maxWriteBytes: int('Write quota of a run: bytes it may add to files in its mounts, all files together.', 0, 64 * MIB),
  maxOutputBytes: int('Largest stdout plus stderr kept from a run, in bytes.', 0, MIB),
  maxTableElements: int('Most elements all tables of a run may hold together (their maxima are lowered to fit).', 0, 1_000_000),
});

const alertRule = obj(
  'One alert rule: what it watches, its threshold, severity and action. It fires at most once per run.',
  {
    name: str('A name for the rule, shown with its alerts.'),
    when: oneOf(
      'What the rule watches: `memory` (linear memory, bytes), `execution-time` (ms since the run started), `wasi-calls` (calls of one WASI function, or all), `capability-calls` (calls of a capability group), `violations` (sandbox violations), `output-bytes` (stdout and stderr together).',
      ALERT_METRICS,
    ),
    above: int('The alert fires when the watched value exceeds this: bytes, milliseconds, calls (or calls per second with `perSecond`), violations.'),
    percentOfCap: int("`memory`: fire when linear memory reaches this percentage of the run's memory cap (`sandbox.maxMemoryBytes`).", 1),
    function: str('`wasi-calls`: the WASI preview1 function counted (absent: every WASI call).'),
    capability: oneOf('`capability-calls`: the capability group counted.', WASI_CAPABILITIES),
    perSecond: bool('`wasi-calls`, `capability-calls`: compare the rate (calls per second, over each statistics interval) instead of the count.'),
    violationKind: str('`violations`: count only violations of this kind (e.g. `path-escape`).'),
    severity: oneOf('How serious an alert of this rule is.', ALERT_SEVERITIES, 'warning'),
    action: oneOf('What the run does when it fires: `notify` (record it, the run goes on), `stop` (end the run), `restart` (end the run and run the module once more; if the rule fires again, that run stops).', ALERT_ACTIONS, 'notify'),
  },
  ['when'],
);

const monitor = obj('Alerts while a module runs.', {
  memoryBytes: int('Alert (warning) when linear memory grows past this many bytes (the same as an `alerts` rule on `memory`).', 0),
  executionMs: int('Alert (warning) when a run takes longer than this many milliseconds (the same as an `alerts` rule on `execution-time`).', 0),
  alerts: list(
    "Alert rules of a run. The default reproduces the seed's thresholds: memory above 100 MiB (warning), execution above 5 s (warning), any violation (critical), all `notify`. A list here replaces the default.",
    alertRule,
    DEFAULT_ALERT_RULES.map((r) => ({ ...r })),
  ),
});

const rules: RecordNode<EnumNode<RuleSeverity>> = {
  kind: 'record',
  description: 'Per-rule severity: `error`, `warning`, `info` or `off`.',
  keyFormat: 'rule-id',
  values: oneOf('Severity of the rule.', RULE_SEVERITIES),
};

/** The sections an override may carry. */
const SECTIONS = {
  imports,
  memory,
  tables,
  exports: exportsSection,
  startFunction,
  customSections,
  features,
  signature,
  integrity,
  code,
  sandbox,
  monitor,
  rules,
};

const override = obj(
  'Settings for the files matching `files`; later overrides win.',
  {
    files: list('Path globs, relative to the workspace (e.g. `plugins/**`).', str('A path glob.', 'path-glob')),
    ...SECTIONS,
  },
  ['files'],
);

export const POLICY_DEFINITION = obj('Wasm Warden security policy.', {
  $schema: str('The JSON schema of this file.'),
  ...SECTIONS,
  overrides: list('Settings for some files only, applied in order: later entries win.', override, []),
  include: list('Path globs of the files the workspace scan checks.', str('A path glob.', 'path-glob'), ['**/*.wasm', '**/*.wat']),
  exclude: list('Path globs the workspace scan skips.', str('A path glob.', 'path-glob'), ['**/node_modules/**']),
});

// ---------------------------------------------------------------------------------------------
// Types

export type Policy = Infer<typeof POLICY_DEFINITION>;
export type PolicyOverride = Infer<typeof override>;
export type ImportsPolicy = Infer<typeof imports>;
export type MemoryPolicy = Infer<typeof memory>;
export type TablesPolicy = Infer<typeof tables>;
export type ExportsPolicy = Infer<typeof exportsSection>;
export type CustomSectionsPolicy = Infer<typeof customSections>;
export type SandboxPolicy = Infer<typeof sandbox>;
export type MonitorPolicy = Infer<typeof monitor>;
export type SignaturePolicy = Infer<typeof signature>;
export type IntegrityPolicy = Infer<typeof integrity>;
export type CodePolicy = Infer<typeof code>;
export type WasiSwitches = Infer<ReturnType<typeof wasiSwitches>>;

/** The policy that applies to one file: defaults, the file's settings and its matching overrides, merged. */
export type EffectivePolicy = Omit<Policy, 'overrides' | '$schema'>;

/** The names of the top-level keys an override may set. */
export const OVERRIDABLE_SECTIONS = Object.keys(SECTIONS) as (keyof typeof SECTIONS)[];

// ---------------------------------------------------------------------------------------------
// Defaults

function defaultsOf(node: DefNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(node.properties)) {
        const v = defaultsOf(child);
        if (v !== undefined) out[k] = v;
      }
      return Object.keys(out).length ? out : undefined;
    }
    case 'array':
      return node.default ? structuredClone(node.default) : undefined;
    case 'record':
      return undefined;
    default:
      return node.default;
  }
}

/**
 * The policy in force when there is no policy file: no filesystem-write, socket or unknown `wasi*`
 * imports; every memory declares a maximum of at most 256 MiB; no shared memory; all else allowed.
 */
export const DEFAULT_POLICY: Policy = deepFreeze({ ...(defaultsOf(POLICY_DEFINITION) as Policy), integrity: {}, rules: {} });

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// JSON schema

export interface RuleSummary {
  id: string;
  title: string;
  defaultSeverity: string;
}

/** The policy's JSON schema (draft-07), built from POLICY_DEFINITION; `rules` lists the known rule ids. */
export function policySchema(knownRules: readonly RuleSummary[] = []): Record<string, unknown> {
  return definitionSchema(POLICY_DEFINITION, { id: 'https://wasm-warden.dev/policy.schema.json', title: 'Wasm Warden policy' }, knownRules);
}

/** The JSON schema (draft-07) of any file described with these nodes (the policy, the lock file of approved versions). */
export function definitionSchema(node: DefNode, meta: { id: string; title: string }, knownRules: readonly RuleSummary[] = []): Record<string, unknown> {
  const root = toSchema(node, knownRules) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: meta.id, title: meta.title, ...root };
}

function toSchema(node: DefNode, knownRules: readonly RuleSummary[]): unknown {
  const base: Record<string, unknown> = { description: node.description };
  switch (node.kind) {
    case 'boolean':
      return { type: 'boolean', ...base, ...(node.default !== undefined && { default: node.default }) };
    case 'integer':
      return {
        type: 'integer',
        ...base,
        ...(node.minimum !== undefined && { minimum: node.minimum }),
        ...(node.default !== undefined && { default: node.default }),
      };
    case 'string': {
      const s: Record<string, unknown> = { type: 'string', ...base };
      if (node.format === 'sha256') s.pattern = '^[0-9a-fA-F]{64}$';
      if (node.format === 'name-glob' || node.format === 'path-glob') s.minLength = 1;
      return s;
    }
    case 'enum':
      return { type: 'string', ...base, enum: [...node.values], ...(node.default !== undefined && { default: node.default }) };
    case 'array':
      return {
        type: 'array',
        ...base,
        items: toSchema(node.items, knownRules),
        ...(node.default !== undefined && { default: node.default }),
      };
    case 'object': {
      const properties: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(node.properties)) properties[k] = toSchema(child, knownRules);
      const defaults = defaultsOf(node);
      return {
        type: 'object',
        ...base,
        properties,
        ...(node.required?.length && { required: [...node.required] }),
        additionalProperties: false,
        ...(defaults !== undefined && { default: defaults }),
      };
    }
    case 'record': {
      const values = toSchema(node.values, knownRules) as Record<string, unknown>;
      if (node.keyFormat === 'rule-id') {
        const properties: Record<string, unknown> = {};
        for (const r of knownRules) {
          properties[r.id] = { ...values, description: `${r.title} (default: ${r.defaultSeverity}).` };
        }
        return {
          type: 'object',
          ...base,
          properties,
          propertyNames: { pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
          additionalProperties: values,
        };
      }
      return { type: 'object', ...base, propertyNames: { minLength: 1 }, additionalProperties: values };
    }
  }
}
