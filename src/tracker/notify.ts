import type { OutlivedWork } from './report';

/** Writes a note for a person to stderr, never to stdout (where reporters write JSON). */
export function notify(text: string): void {
  process.stderr.write(`async-isolation: ${text.split('\n').join('\n  ')}\n`);
}

/** What to change, for work a test's callbacks did after the test ended. */
function outlivedHint(work: OutlivedWork): string {
  return work.type === 'PROMISE'
    ? 'await (or return) every promise the test starts'
    : 'have the test wait for what created it, or stop that in an afterEach';
}

/** For work a test's (or a scope's) callbacks did after it ended, where the user's code did it. */
export function notifyOutlived(title: string, work: OutlivedWork, what = 'test', hint = outlivedHint(work)): void {
  const outcome = work.cancelled ? ` — ${work.cancelledBy}` : '';
  const stack = work.stack ? '\n' + work.stack.split('\n').map((f) => `    ${f}`).join('\n') : '';
  notify(`async work outlived its ${what} "${title}":\n  ${work.type} ${work.description}${outcome}${stack}\nhint: ${hint}`);
}
