import { relative } from 'node:path';
import { globalOptions, resolveOptions, type IsolationOptions } from '../../tracker/config';
import { IsolationUsageError, describeValue } from '../../tracker/errors';
import type { CircusEvent, CircusState } from './circus';
import { watchJestModuleLoads } from './module-loads';
import { writeJestReport } from './report-file';
import { FileSession } from './session';

/** What the adapter needs of a Jest test environment instance. */
export interface JestEnvironmentLike {
  global: unknown;
  getVmContext(): unknown;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  handleTestEvent?(event: any, state: any): void | Promise<void>;
}

/** A Jest test environment class (jest-environment-node, jest-environment-jsdom, your own). */
export type JestEnvironmentClass = new (...args: any[]) => JestEnvironmentLike;

const OPTIONS_KEY = 'asyncIsolation';

/** `testEnvironmentOptions.asyncIsolation` (also settable per file with `@jest-environment-options`). */
function optionsFrom(config: any): IsolationOptions | undefined {
  const raw = config?.projectConfig?.testEnvironmentOptions?.[OPTIONS_KEY];
  if (raw === undefined) return undefined;
  // Validated now, so a mistake fails the file at once with a message naming the option.
  resolveOptions(`testEnvironmentOptions.${OPTIONS_KEY}`, raw);
  return raw as IsolationOptions;
}

function fileTitle(config: any, testPath: string): string {
  const rootDir = config?.projectConfig?.rootDir;
  return typeof rootDir === 'string' ? relative(rootDir, testPath) : testPath;
}

function createSession(config: any, context: any, globalOf: () => any): FileSession | undefined {
  const options = optionsFrom(config);
  const mode = options?.mode ?? globalOptions().mode;
  if (mode === 'off') return undefined;
  const testPath = typeof context?.testPath === 'string' ? context.testPath : 'unknown test file';
  watchJestModuleLoads();
  return new FileSession(testPath, fileTitle(config, testPath), options, globalOf);
}

/**
 * Makes any Jest test environment leak-checking: every test fails with a report of the timers,
 * sockets, servers and child processes it left running, which are cancelled; what a describe
 * block's beforeAll/afterAll hooks leave fails the file the way a failing afterAll does.
 *
 * ```js
 * // jest-environment-isolated-jsdom.js
 * const { TestEnvironment } = require('jest-environment-jsdom');
 * const { isolatedEnvironment } = require('async-isolation/jest');
 * module.exports = isolatedEnvironment(TestEnvironment);
 * ```
 */
export function isolatedEnvironment<T extends JestEnvironmentClass>(Base: T): T {
  if (typeof Base !== 'function' || typeof Base.prototype?.getVmContext !== 'function') {
    throw new IsolationUsageError(
      `isolatedEnvironment(Base): Base must be a Jest test environment class (with getVmContext), got ${describeValue(Base)}`,
    );
  }
  const Isolated = class extends Base {
    readonly #session: FileSession | undefined;

    constructor(...args: any[]) {
      super(...args);
      this.#session = createSession(args[0], args[1], () => this.global);
    }

    // Jest calls some events synchronously (add_test, add_hook): the base's handler then runs
    // at once; it runs after ours for the asynchronous ones.
    override handleTestEvent(event: any, state: any): void | Promise<void> {
      const ours = this.#session?.handle(event as CircusEvent, state as CircusState);
      if (ours !== undefined) return ours.then(() => super.handleTestEvent?.(event, state));
      return super.handleTestEvent?.(event, state);
    }

    override async teardown(): Promise<void> {
      if (this.#session !== undefined) {
        await this.#session.close();
        writeJestReport();
      }
      await super.teardown();
    }
  };
  Object.defineProperty(Isolated, 'name', { value: `Isolated${Base.name || 'Environment'}` });
  return Isolated;
}
