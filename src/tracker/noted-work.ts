import type { EarlierWork } from './report';

// Types alone: the scope keeps these without loading what notes them (tracker/earlier-work).

/** What an ended scope left that may still run, and where the user's code created it. */
export interface LeftWork {
  readonly by: string;
  readonly what: EarlierWork['what'];
  site(): string;
}

/** What the scope open at that time keeps of it. */
export interface NotedWork {
  readonly work: LeftWork;
  /** For work seen through a resource it created: that resource's type. */
  readonly created?: string;
  /** Noted once per scope: a callback that keeps creating timers is one piece of work. */
  readonly key?: string;
}
