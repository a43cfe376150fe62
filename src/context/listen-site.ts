import net = require('node:net');
import { currentOwner } from './context';
import { processWide } from './process-wide';
import { captureStack, type CapturedStack } from './stack';

const SITE = Symbol.for('async-isolation.listen-site');
const patched = processWide('listen-sites', () => ({ done: false }));

/**
 * A server's handle is created a tick after `listen()` (Node defers it), so its own creation
 * stack holds only Node's frames. Servers listening inside a scope keep the `listen()` call
 * site instead, captured only there.
 */
export function installListenSites(): void {
  if (patched.done) return;
  patched.done = true;
  const proto = net.Server.prototype as net.Server & { [SITE]?: CapturedStack };
  const original = proto.listen;
  proto.listen = function listen(this: net.Server & { [SITE]?: CapturedStack }, ...args: unknown[]) {
    if (currentOwner() !== undefined) {
      const site: CapturedStack = {};
      captureStack(site, listen);
      this[SITE] = site;
    }
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof proto.listen;
}

/** The `listen()` call site of a server, if it listened inside a scope. */
export function listenSite(subject: object): CapturedStack | undefined {
  return (subject as { [SITE]?: CapturedStack })[SITE];
}
