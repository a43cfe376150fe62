import { readStack, type ReadStack } from '../hooks/stack';
import type { ResourceRecord } from './scope';

function describeCreator(record: ResourceRecord): string {
  try {
    return `${record.type} ${record.kind.describe(record.resource)}`;
  } catch {
    return record.type;
  }
}

/**
 * Where a resource was created, for a person: its own creation stack and, when that names no
 * user frame (a library's timer re-armed from its own callback), the frames of the nearest
 * resource up its chain of creators whose stack does.
 */
export function creationSite(record: ResourceRecord, depth: number): ReadStack {
  const own = readStack(record, depth);
  if (own.hasUserFrame) return own;
  for (let creator = record.creator; creator !== undefined; creator = creator.creator) {
    const site = readStack(creator, depth);
    if (!site.hasUserFrame) continue;
    const text = [own.text, `via a callback of ${describeCreator(creator)}, created`, site.text].filter(Boolean).join('\n');
    return { ...own, text, hasUserFrame: true };
  }
  return own;
}
