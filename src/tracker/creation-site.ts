import { readStack, type ReadStack } from '../context/stack';
import type { ResourceRecord } from './scope';

function describeCreator(record: ResourceRecord): string {
  try {
    return `${record.type} ${record.kind.describe(record.resource)}`;
  } catch {
    return record.type;
  }
}

/** A creation site, and whether its user frames are a creator's rather than the resource's own. */
export interface CreationSite extends ReadStack {
  /** The resource's own frames are all Node's or a library's: the user frames shown are a creator's. */
  viaCreator: boolean;
}

/**
 * Where a resource was created, for a person: its own creation stack and, when that names no
 * user frame (a library's timer re-armed from its own callback), the frames of the nearest
 * resource up its chain of creators whose stack does.
 */
export function creationSite(record: ResourceRecord, depth: number): CreationSite {
  const own = readStack(record, depth);
  if (own.hasUserFrame) return { ...own, viaCreator: false };
  for (let creator = record.creator; creator !== undefined; creator = creator.creator) {
    const site = readStack(creator, depth);
    if (!site.hasUserFrame) continue;
    const text = [own.text, `via a callback of ${describeCreator(creator)}, created`, site.text].filter(Boolean).join('\n');
    return { ...own, text, hasUserFrame: true, viaCreator: true };
  }
  return { ...own, viaCreator: false };
}
