import type { PolicyRule } from './rule';

/** `exports.allowMemoryExport`: exporting a memory hands the host (and other modules) all of its data. */
export const exportMemory: PolicyRule = {
  id: 'export-memory',
  title: 'Memory export not allowed',
  defaultSeverity: 'error',
  policyKeys: ['exports.allowMemoryExport'],
  check({ model, policy }) {
    if (policy.exports?.allowMemoryExport !== false) return [];
    return model.exports
      .filter((e) => e.kind === 'memory')
      .map((e) => ({
        message: `Export "${e.name}" exports memory ${e.index}; the policy does not allow exporting memories (exports.allowMemoryExport).`,
        span: e.span,
        data: { name: e.name, memoryIndex: e.index },
      }));
  },
};
