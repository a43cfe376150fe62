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
export { currentScope } from './hooks/context';
export { createEventCoordinator, EventCoordinator, type CoordinatorOptions, type BarrierOptions } from './coordinator/event-coordinator';
export { Barrier, type WaitOptions } from './coordinator/barrier';
export { trackTask, type Task, type TaskOptions, type TrackedTask, type CancellablePromise } from './coordinator/tracked-task';
export { trackService, type ServiceOptions } from './coordinator/tracked-service';
export { mockService, type MockService, type OpenMockService, type MockMethod, type MockCall, type MockControls } from './coordinator/mock-service';
export { assertNoLeaks, checkLeaks } from './coordinator/assert-no-leaks';

import { instrumentClientsWhenTracked } from './adapters/clients/instrument';

instrumentClientsWhenTracked();
