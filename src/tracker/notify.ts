import type { OutlivedWork } from './report';

/** Writes a note for a person to stderr, never to stdout (where reporters write JSON). */
export function notify(text: string): void {
  process.stderr.write(`async-isolation: ${text.split('\n').join('\n  ')}\n`);
}

/** For work a test's (or a scope's) callbacks did after it ended. */
export function notifyOutlived(title: string, work: OutlivedWork, what = 'test', hint?: string): void {
  const outcome = work.cancelled ? ` — ${work.cancelledBy}` : '';
  const stack = work.stack ? '\n' + work.stack.split('\n').map((f) => `    ${f}`).join('\n') : '';
  notify(`async work outlived its ${what} "${title}":\n  ${work.type} ${work.description}${outcome}${stack}${hint ? `\nhint: ${hint}` : ''}`);
}
