/**
 * node:test entry point: `node --test --import async-isolation/node-test`. Every test that
 * leaves something running fails as itself, with a report of what leaked; what leaked is
 * cancelled so each test process exits on its own.
 *
 * @packageDocumentation
 */
import { installNodeTestAdapter } from './adapters/node-test/install';
import { globalOptions } from './tracker/config';

if (globalOptions().mode !== 'off') installNodeTestAdapter();
