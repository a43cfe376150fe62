/**
 * Snapshots of an object's own enumerable state, restorable in place: what a service had when a
 * test started (a circuit breaker's failure counters, an in-memory queue) comes back at its end.
 * Plain containers (arrays, plain objects, Maps, Sets) are copied deeply enough to undo in-place
 * mutation (`queue.push()`) and restored in place, so code holding the same array sees it reset.
 * Anything else (class instances, functions, sockets) is kept by reference.
 */

type Saved =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'array'; readonly target: unknown[]; readonly items: Saved[] }
  | { readonly kind: 'object'; readonly target: object; readonly entries: Array<[PropertyKey, Saved]> }
  | { readonly kind: 'map'; readonly target: Map<unknown, unknown>; readonly entries: Array<[unknown, Saved]> }
  | { readonly kind: 'set'; readonly target: Set<unknown>; readonly values: unknown[] };

/** What {@link captureState} took: restore it with {@link restoreState}. */
export interface StateSnapshot {
  readonly target: object;
  readonly entries: Array<[PropertyKey, Saved]>;
}

const MAX_DEPTH = 8;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own enumerable data properties (accessors are behaviour, not state). */
function ownDataEntries(obj: object): Array<[PropertyKey, unknown]> {
  const entries: Array<[PropertyKey, unknown]> = [];
  for (const key of Reflect.ownKeys(obj)) {
    const descriptor = Object.getOwnPropertyDescriptor(obj, key);
    if (descriptor === undefined || !descriptor.enumerable || !('value' in descriptor)) continue;
    entries.push([key, descriptor.value]);
  }
  return entries;
}

function save(value: unknown, depth: number, seen: Set<object>): Saved {
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH || seen.has(value) || Object.isFrozen(value)) {
    return { kind: 'value', value };
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return { kind: 'array', target: value, items: value.map((item) => save(item, depth + 1, seen)) };
    }
    if (value instanceof Map) {
      return { kind: 'map', target: value, entries: [...value].map(([k, v]) => [k, save(v, depth + 1, seen)]) };
    }
    if (value instanceof Set) return { kind: 'set', target: value, values: [...value] };
    if (isPlainObject(value)) {
      return { kind: 'object', target: value, entries: ownDataEntries(value).map(([k, v]) => [k, save(v, depth + 1, seen)]) };
    }
    return { kind: 'value', value };
  } finally {
    seen.delete(value);
  }
}

function restoreProperties(target: object, entries: Array<[PropertyKey, Saved]>): void {
  const keep = new Set(entries.map(([key]) => key));
  for (const [key] of ownDataEntries(target)) {
    if (!keep.has(key)) delete (target as Record<PropertyKey, unknown>)[key];
  }
  const record = target as Record<PropertyKey, unknown>;
  for (const [key, saved] of entries) {
    const value = restore(saved);
    // Unchanged properties are left alone: a frozen object that kept its state resets fine.
    if (!Object.is(record[key], value)) record[key] = value;
  }
}

function restore(saved: Saved): unknown {
  switch (saved.kind) {
    case 'value':
      return saved.value;
    case 'array':
      saved.target.length = 0;
      saved.target.push(...saved.items.map(restore));
      return saved.target;
    case 'map':
      saved.target.clear();
      for (const [key, value] of saved.entries) saved.target.set(key, restore(value));
      return saved.target;
    case 'set':
      saved.target.clear();
      for (const value of saved.values) saved.target.add(value);
      return saved.target;
    case 'object':
      restoreProperties(saved.target, saved.entries);
      return saved.target;
  }
}

/** Captures `obj`'s own enumerable state now. */
export function captureState(obj: object): StateSnapshot {
  const seen = new Set<object>([obj]);
  return { target: obj, entries: ownDataEntries(obj).map(([key, value]) => [key, save(value, 1, seen)]) };
}

/**
 * Puts the captured state back: properties added since are deleted, changed ones get their old
 * value, and containers get their old contents back in place. Throws if a property cannot be
 * written (a frozen object, a read-only property).
 */
export function restoreState(snapshot: StateSnapshot): void {
  restoreProperties(snapshot.target, snapshot.entries);
}
