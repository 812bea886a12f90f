/** The registry of policy rules, in the order checkModel runs them. */
import { customSectionForbidden } from './custom-section-forbidden';
import { customSectionMissing } from './custom-section-missing';
import { customSectionTooLarge } from './custom-section-too-large';
import { exportForbidden } from './export-forbidden';
import { exportMemory } from './export-memory';
import { exportMissing } from './export-missing';
import { exportTable } from './export-table';
import { featureDenied } from './feature-denied';
import { importNotAllowed } from './import-not-allowed';
import { integrityMismatch } from './integrity-mismatch';
import { memory64 } from './memory64';
import { moduleNotApproved } from './module-not-approved';
import { memoryCount } from './memory-count';
import { memoryShared } from './memory-shared';
import { memoryTooLarge } from './memory-too-large';
import { memoryUnbounded } from './memory-unbounded';
import type { PolicyRule } from './rule';
import { hashKernel } from './hash-kernel';
import { miningKernel } from './mining-kernel';
import { networkEndpoint } from './network-endpoint';
import { suspiciousString } from './suspicious-string';
import { hostCodeExecution } from './host-code-execution';
import { capabilityCombination } from './capability-combination';
import { packedPayload } from './packed-payload';
import { highEntropyData } from './high-entropy-data';
import { signatureInvalid } from './signature-invalid';
import { signatureMissing } from './signature-missing';
import { signatureUntrusted } from './signature-untrusted';
import { startFunction } from './start-function';
import { tableTooLarge } from './table-too-large';
import { tableUnbounded } from './table-unbounded';
import { unknownWasiImport } from './unknown-wasi-import';
import { wasiCapabilityDenied } from './wasi-capability-denied';

export type { ModuleApprovals, PolicyRule, RuleContext, RuleFinding } from './rule';
export { ruleDocPath } from './rule';

export const RULES: readonly PolicyRule[] = [
  importNotAllowed,
  wasiCapabilityDenied,
  unknownWasiImport,
  memoryUnbounded,
  memoryTooLarge,
  memoryShared,
  memory64,
  memoryCount,
  tableUnbounded,
  tableTooLarge,
  exportMissing,
  exportForbidden,
  exportMemory,
  exportTable,
  startFunction,
  customSectionForbidden,
  customSectionTooLarge,
  customSectionMissing,
  featureDenied,
  signatureMissing,
  signatureInvalid,
  signatureUntrusted,
  integrityMismatch,
  hostCodeExecution,
  capabilityCombination,
  miningKernel,
  hashKernel,
  networkEndpoint,
  suspiciousString,
  packedPayload,
  highEntropyData,
  moduleNotApproved,
];

export function ruleById(id: string): PolicyRule | undefined {
  return RULES.find((r) => r.id === id);
}
