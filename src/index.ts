/**
 * async-isolation: every async resource a test creates is attributed to it through async
 * context; what it leaves running when it ends is cancelled and reported, and the test fails.
 *
 * @packageDocumentation
 */
export { enter, exit, openScope, withIsolation, allowLeaks, detached } from './tracker/lifecycle';
export { configure, type IsolationOptions, type IsolationMode } from './tracker/config';
export type { StateChange, StateKind, StateReport } from './tracker/state-report';
export { Scope, type TrackOptions } from './tracker/scope';
export { LeakError, formatReport, type Leak, type LeakReport, type OutlivedWork } from './tracker/report';
export type { ReportEntry, ReportFile, ReportTotals } from './tracker/report-format';
export { IsolationUsageError } from './tracker/errors';
export { onOutlived, type OutlivedListener } from './tracker/outlived';
export { currentScope } from './tracker/current-scope';
export { createEventCoordinator, EventCoordinator, type CoordinatorOptions, type BarrierOptions } from './toolkit/event-coordinator';
export { Barrier, type WaitOptions } from './toolkit/barrier';
export { trackTask, type Task, type TaskOptions, type TrackedTask, type CancellablePromise } from './toolkit/tracked-task';
export { trackService, type ServiceOptions } from './toolkit/tracked-service';
export { mockService, type MockService, type OpenMockService, type MockMethod, type MockCall, type MockControls } from './toolkit/mock-service';
export { assertNoLeaks, checkLeaks } from './toolkit/assert-no-leaks';

import { instrumentClientsWhenTracked } from './adapters/clients/instrument';

instrumentClientsWhenTracked();
