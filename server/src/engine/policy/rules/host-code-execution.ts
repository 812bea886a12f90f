import { codeRunningImports } from '../../code/host-calls';
import type { PolicyRule } from './rule';

/** Imports that hand the host code to run (`emscripten_run_script`, eval-like names): what they run is invisible to every check. */
export const hostCodeExecution: PolicyRule = {
  id: 'host-code-execution',
  title: 'Import runs code the host is given at run time',
  defaultSeverity: 'error',
  policyKeys: ['imports.allow', 'imports.deny'],
  check({ model }) {
    return codeRunningImports(model).map((imp) => ({
      message: `Import ${imp.module}.${imp.name} hands the host code to run (JavaScript eval, a shell or a script): what it runs is built at run time, so no check here sees it.`,
      span: imp.span,
      data: { module: imp.module, name: imp.name },
    }));
  },
};
