import type { PolicyRule } from './rule';

/** `exports.allowTableExport`: exporting a table lets the host replace functions in it. */
export const exportTable: PolicyRule = {
  id: 'export-table',
  title: 'Table export not allowed',
  defaultSeverity: 'error',
  policyKeys: ['exports.allowTableExport'],
  check({ model, policy }) {
    if (policy.exports?.allowTableExport !== false) return [];
    return model.exports
      .filter((e) => e.kind === 'table')
      .map((e) => ({
        message: `Export "${e.name}" exports table ${e.index}; the policy does not allow exporting tables (exports.allowTableExport).`,
        span: e.span,
        data: { name: e.name, tableIndex: e.index },
      }));
  },
};
