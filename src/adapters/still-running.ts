import { runInternal } from '../context/context';
import { notify } from './warn';
import { realTimers } from '../tracker/real-timers';

const GRACE_MS = 1000;
// What a test runner itself holds open: its stdio.
const EXPECTED = new Set(['TTYWrap', 'PipeWrap']);

type WhyIsNodeRunning = (logger: { error: (...args: unknown[]) => void }) => void;
let why: Promise<WhyIsNodeRunning | undefined> | undefined;

/**
 * With `ASYNC_ISOLATION_WHY=1`, loads why-is-node-running now, before the tests create
 * anything, so the still-running summary can say where each handle was created. It is opt-in:
 * its destroy hook slows every promise.
 */
export function loadWhyIsNodeRunningIfAsked(): void {
  if (process.env.ASYNC_ISOLATION_WHY !== '1' || why !== undefined) return;
  why = runInternal(() =>
    import('why-is-node-running').then(
      (m) => m.default as WhyIsNodeRunning,
      () => undefined,
    ),
  );
}

/**
 * After a run, if the process is still alive a second later, says what keeps it alive. The
 * timer is unref'd: it fires only when something else holds the process open.
 */
export function watchForStillRunning(): void {
  runInternal(() =>
    realTimers.setTimeout(() => {
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) {
        if (!EXPECTED.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
      }
      // This timer is unref'd, so it is not among them.
      const held = [...counts];
      if (held.length === 0) return;
      void (why ?? Promise.resolve(undefined)).then((print) => {
        notify(
          `the test run has ended but the process is still running, held by ${held
            .map(([type, n]) => `${n} x ${type}`)
            .join(', ')}.\n` +
            "Every test's own leaks were cancelled: these were created outside any test (module load, global setup, root hooks).\n" +
            (print ? 'Where they were created:' : 'Run with ASYNC_ISOLATION_WHY=1 to see where they were created.'),
        );
        print?.({ error: (...args) => process.stderr.write(args.join(' ') + '\n') });
      });
    }, GRACE_MS).unref(),
  );
}
