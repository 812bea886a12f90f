import type { Feature, ModuleModel } from '../../model';
import type { Span } from '../../span';
import { limitedItems, moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** `features.deny`: WebAssembly proposals the module must not use. */
export const featureDenied: PolicyRule = {
  id: 'feature-denied',
  title: 'WebAssembly feature not allowed',
  defaultSeverity: 'error',
  policyKeys: ['features.deny'],
  check({ model, policy }) {
    const deny = policy.features?.deny ?? [];
    // nothing denied: the features are not even detected (a lazy read would decode sections for them)
    if (deny.length === 0) return [];
    return model.features
      .filter((f) => deny.includes(f))
      .map((feature) => ({
        message: `The module uses the "${feature}" feature, which features.deny refuses.`,
        span: featureSpan(model, feature),
        data: { feature },
      }));
  },
};

/** The best place to show a feature's use: the item that needs it, when one obviously does. */
function featureSpan(model: ModuleModel, feature: Feature): Span {
  const memories = limitedItems(model, 'memory');
  const pick = (() => {
    switch (feature) {
      case 'threads':
        return memories.find((m) => m.limits.shared);
      case 'memory64':
        return memories.find((m) => m.limits.index64);
      case 'custom-page-sizes':
        return memories.find((m) => m.limits.pageSizeLog2 !== 16);
      case 'multi-memory':
        return memories[1];
      case 'exceptions':
        return model.tags[0];
      default:
        return undefined;
    }
  })();
  return pick?.span ?? moduleHeadSpan(model);
}
