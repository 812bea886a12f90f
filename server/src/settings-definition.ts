/**
 * The settings of the extension (section `wasmWarden`), declared once: `package.json`'s
 * `contributes.configuration` and the untrusted-workspace list (`restrictedConfigurations`) are generated
 * from this table by scripts/generate.ts (run by the build), and a unit test checks that package.json is
 * up to date. What the server reads is typed by WardenSettings (protocol.ts); the defaults here are
 * DEFAULT_SETTINGS' (the same test compares them).
 *
 * Each entry is the JSON schema VS Code shows and validates, plus `restricted`: a workspace that is not
 * trusted cannot set it (VS Code then takes the user's value).
 */
import { LINTS, LINT_SEVERITIES } from './engine/lints';

export interface SettingDefinition {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  default: unknown;
  description: string;
  restricted?: boolean;
  [schema: string]: unknown;
}

export const SETTINGS: Readonly<Record<string, SettingDefinition>> = {
  'wasmWarden.policyPath': {
    type: 'string',
    default: '',
    description: 'Path to the policy file (absolute, or relative to the first workspace folder). Empty: the nearest wasm-warden.policy.json above each file.',
    restricted: true,
  },
  'wasmWarden.scanInclude': {
    type: 'array',
    items: {
      type: 'string',
    },
    default: [],
    description: 'Globs (relative to the workspace folder) scanned even under node_modules.',
    restricted: true,
  },
  'wasmWarden.scanExclude': {
    type: 'array',
    items: {
      type: 'string',
    },
    default: [],
    description: 'Globs (relative to the workspace folder) never scanned.',
  },
  'wasmWarden.debounceMs': {
    type: 'number',
    default: 150,
    minimum: 0,
    description: 'Milliseconds between the last keystroke and re-checking a WAT buffer.',
  },
  'wasmWarden.analysis.timeoutMs': {
    type: 'number',
    default: 5000,
    minimum: 100,
    description: "A file that is not open in the editor (workspace scan, file changes) is analysed off the language server's main thread and abandoned after this many milliseconds; it then gets an `analysis-time-budget` finding.",
  },
  'wasmWarden.analysis.maxHeapMB': {
    type: 'number',
    default: 512,
    minimum: 64,
    description: 'Memory (V8 heap, MB) the analysis of one file that is not open may use; over it the analysis is abandoned and the file gets an `analysis-memory-budget` finding.',
  },
  'wasmWarden.analysis.maxFileSizeMB': {
    type: 'number',
    default: 20,
    minimum: 1,
    description: 'WAT/WAST files larger than this (MB), or with more than 50,000 tokens per MB of it, get no full analysis: an open one keeps syntax colouring and gets an outline from a quick scan, with an `analysis-size-limit` notice; one that is not open is skipped with the same notice.',
  },
  'wasmWarden.output.compile': {
    type: 'string',
    default: '${dir}/${name}.wasm',
    description: 'Where Compile writes (${dir}, ${name} of the source).',
    restricted: true,
  },
  'wasmWarden.output.disassemble': {
    type: 'string',
    default: '${dir}/${name}.wat',
    description: 'Where Disassemble writes.',
    restricted: true,
  },
  'wasmWarden.output.optimize': {
    type: 'string',
    default: '${dir}/${name}.opt.wasm',
    description: 'Where Optimize writes.',
    restricted: true,
  },
  'wasmWarden.optimizeLevel': {
    type: 'string',
    enum: [
      'O1',
      'O2',
      'O3',
      'O4',
      'Os',
      'Oz',
    ],
    default: 'Os',
    description: 'Default binaryen optimization level.',
  },
  'wasmWarden.optimize.stripDebug': {
    type: 'boolean',
    default: false,
    description: 'Strip debug info (DWARF, names) when optimizing.',
  },
  'wasmWarden.compile.debugNames': {
    type: 'boolean',
    default: true,
    description: 'Write the name section when compiling WAT.',
  },
  'wasmWarden.openWatViewWithModule': {
    type: 'boolean',
    default: true,
    description: "Open the WAT view beside the module summary when a .wasm of up to 8 MB is opened (a larger module's WAT view opens on demand: Show WAT).",
  },
  'wasmWarden.sandbox.configurations': {
    type: 'array',
    default: [],
    description: 'Named sandbox run configurations. In an untrusted workspace they cannot widen the sandbox (mounts become read-only and must be inside the workspace).',
    items: {
      type: 'object',
      required: [
        'name',
      ],
      properties: {
        name: {
          type: 'string',
        },
        dirs: {
          type: 'array',
          items: {
            type: 'string',
            description: 'HOST[::GUEST][:ro]',
          }
        },
        env: {
          type: 'object',
          additionalProperties: {
            type: 'string',
          }
        },
        args: {
          type: 'array',
          items: {
            type: 'string',
          }
        },
        timeoutMs: {
          type: 'number',
        },
        maxMemoryBytes: {
          type: 'number',
        },
        maxWriteBytes: {
          type: 'number',
          minimum: 0,
          description: 'Write quota: bytes the guest may add to files in its mounts, all files together (default 64 MiB).',
        },
        maxOutputBytes: {
          type: 'number',
        },
        maxTableElements: {
          type: 'number',
        }
      },
    },
    restricted: true,
  },
  'wasmWarden.optimize.stripProducers': {
    type: 'boolean',
    default: false,
    description: 'Strip the producers section when optimizing.',
  },
  'wasmWarden.optimize.keepCustomSections': {
    type: 'boolean',
    default: true,
    description: 'Keep custom sections other than name/producers when optimizing (binaryen moves them after the known sections).',
  },
  'wasmWarden.format.indentWidth': {
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 16,
    description: "Columns per indentation level when formatting WAT/WAST. 0: the editor's own (`editor.tabSize` and `editor.insertSpaces`, which can be set per language: `[wat]`).",
  },
  'wasmWarden.format.lineWidth': {
    type: 'integer',
    default: 100,
    minimum: 20,
    maximum: 1000,
    description: 'Formatting breaks a list whose line is longer than this, before each of its instructions and sub-lists after its header. Line breaks you wrote are always kept.',
  },
  'wasmWarden.format.maxBlankLines': {
    type: 'integer',
    default: 1,
    minimum: 0,
    maximum: 100,
    description: 'Blank lines formatting keeps in a row.',
  },
  'wasmWarden.inlayHints.parameterNames': {
    type: 'boolean',
    default: true,
    description: 'Inlay hints in WAT: the parameter names at the operands of a folded call.',
  },
  'wasmWarden.inlayHints.blockEnds': {
    type: 'boolean',
    default: true,
    description: 'Inlay hints in WAT: the block (its $label or keyword) a flat `end` closes.',
  },
  'wasmWarden.inlayHints.indexes': {
    type: 'boolean',
    default: true,
    description: 'Inlay hints in WAT: the index of an item, param or local declared without a $name.',
  },
  'wasmWarden.inlayHints.stackTypes': {
    type: 'boolean',
    default: false,
    description: 'Inlay hints in WAT: the operand stack after each instruction (from the validator), e.g. `[i32 f32]`.',
  },
  // one per lint (engine/lints): its severity
  ...Object.fromEntries(
    LINTS.map((l): [string, SettingDefinition] => [
      `wasmWarden.lints.${l.name}`,
      {
        type: 'string',
        enum: [...LINT_SEVERITIES],
        default: l.defaultSeverity,
        description: `Lint: ${l.description}. Off, or the severity of its findings (a hint shows in the editor only, not in Problems).`,
      },
    ]),
  ),
};

/** Editor settings the extension sets for its languages (`contributes.configurationDefaults`): WAT is indented by 2 spaces. */
export const EDITOR_DEFAULTS: Readonly<Record<string, Record<string, unknown>>> = {
  '[wat]': { 'editor.tabSize': 2, 'editor.insertSpaces': true },
  '[wast]': { 'editor.tabSize': 2, 'editor.insertSpaces': true },
};

/** `contributes.configuration.properties` of package.json. */
export function configurationProperties(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, { restricted, ...schema }] of Object.entries(SETTINGS)) {
    void restricted;
    out[key] = schema;
  }
  return out;
}

/** `capabilities.untrustedWorkspaces.restrictedConfigurations` of package.json. */
export function restrictedSettings(): string[] {
  return Object.keys(SETTINGS).filter((k) => SETTINGS[k].restricted);
}
