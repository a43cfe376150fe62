// Start-up under node:test (`node [--import async-isolation/node-test] startup.test.mjs`).
import { test } from 'node:test';

test('does nothing', () => {});
