/** The kinds of process-wide state a test's state check looks at: see `IsolationOptions.state`. */
export type StateKind =
  | 'env'
  | 'cwd'
  | 'umask'
  | 'exitCode'
  | 'listeners'
  | 'globals'
  | 'console'
  | 'timers'
  | 'stackTraceLimit'
  | 'defaultMaxListeners';

/** One change to process-wide state a scope left behind. */
export interface StateChange {
  /** Which check found it. */
  kind: StateKind;
  /** What changed: the variable's, event's, global's or method's name; `cwd`, `umask`... */
  name: string;
  /** For a person: `process.env.API_URL set`, `1 'unhandledRejection' listener added (at a.spec.js:3:13)`. */
  description: string;
  /** Whether it was put back. */
  restored: boolean;
  /** Why putting it back failed, when it did. */
  restoreError?: string;
}

/** What a scope's state check found at its end. */
export interface StateReport {
  /** The `state` option in force for the scope. */
  mode: 'fail' | 'warn' | 'manual' | 'off';
  changes: StateChange[];
}
