/**
 * async-isolation: every async resource a test creates is attributed to it through async
 * context; what it leaves running when it ends is cancelled and reported, and the test fails.
 *
 * @packageDocumentation
 */
export { enter, exit, withIsolation, allowLeaks, detached } from './tracker/lifecycle';
export { configure, type IsolationOptions, type IsolationMode } from './tracker/config';
export { Scope, type TrackOptions } from './tracker/scope';
export { LeakError, formatReport, type Leak, type LeakReport, type OutlivedWork } from './tracker/report';
export { IsolationUsageError } from './tracker/errors';
export { onOutlived, type OutlivedListener } from './tracker/outlived';
export { currentScope } from './hooks/context';
