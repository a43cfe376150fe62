import { IsolationUsageError } from '../../tracker/errors';
import type { JestEnvironmentClass } from './environment';
import { pickExport, requireJestPackage } from './jest-packages';

/**
 * The jest-environment-node of the running Jest. When it cannot be found, a class that fails
 * the test file with a message saying what to install.
 */
export function nodeEnvironmentClass(): JestEnvironmentClass {
  const found = pickExport(requireJestPackage('jest-environment-node'), 'TestEnvironment');
  if (typeof found === 'function') return found as JestEnvironmentClass;
  return class MissingNodeEnvironment {
    global: unknown;
    constructor() {
      throw new IsolationUsageError(
        'async-isolation/jest: jest-environment-node could not be found next to jest-runner or in the project; ' +
          'install it (npm install --save-dev jest-environment-node) or wrap your own environment with isolatedEnvironment()',
      );
    }
    getVmContext(): unknown {
      return null;
    }
    async setup(): Promise<void> {}
    async teardown(): Promise<void> {}
  };
}
