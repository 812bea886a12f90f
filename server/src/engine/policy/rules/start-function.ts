import type { PolicyRule } from './rule';

/** `startFunction.allowed`: a start function runs code as soon as the module is instantiated. */
export const startFunction: PolicyRule = {
  id: 'start-function',
  title: 'Start function not allowed',
  defaultSeverity: 'error',
  policyKeys: ['startFunction.allowed'],
  check({ model, policy }) {
    if (!model.start || policy.startFunction?.allowed !== false) return [];
    return [
      {
        message: `The module has a start function (function ${model.start.func}) that runs on instantiation; the policy does not allow one (startFunction.allowed).`,
        span: model.start.span,
        data: { func: model.start.func },
      },
    ];
  },
};
