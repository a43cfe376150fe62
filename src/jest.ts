/**
 * Jest entry point: `testEnvironment: 'async-isolation/jest'` in the Jest config. A Node test
 * environment in which every test that leaves something running (a timer, socket, server,
 * child process, watcher) fails as itself with a report of what it left; what it left is
 * cancelled, so the run goes on and Jest exits on its own. Jest 29 and 30 (jest-circus).
 *
 * For another environment (jsdom, your own), wrap it with {@link isolatedEnvironment}.
 *
 * @packageDocumentation
 */
import { isolatedEnvironment } from './adapters/jest/environment';
import { nodeEnvironmentClass } from './adapters/jest/node-environment';
import { instrumentClientsWhenTracked } from './adapters/clients/instrument';

export { isolatedEnvironment, type JestEnvironmentClass, type JestEnvironmentLike } from './adapters/jest/environment';

instrumentClientsWhenTracked();

/** jest-environment-node, leak-checking: the class Jest instantiates for `testEnvironment: 'async-isolation/jest'`. */
const IsolatedNodeEnvironment = isolatedEnvironment(nodeEnvironmentClass());

export { IsolatedNodeEnvironment as TestEnvironment };
export default IsolatedNodeEnvironment;
