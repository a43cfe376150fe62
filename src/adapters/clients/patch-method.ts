import { processWide } from '../../context/process-wide';

/** What a patch replaced: the property as it was (undefined when it was inherited or absent). */
interface Patch {
  readonly before: PropertyDescriptor | undefined;
  /** What the patch put there: removed only while it is still what the property holds. */
  readonly installed: PropertyDescriptor;
}

/**
 * The patches in place, by object and property. Shared by every copy of the library (Jest loads
 * one per test file), so two copies never wrap the same method twice.
 */
const patches = processWide('clients.patches', () => new WeakMap<object, Map<PropertyKey, Patch>>());

function patchOf(target: object, name: PropertyKey): Patch | undefined {
  return patches.get(target)?.get(name);
}

/** Whether `target[name]` holds a patch of ours. */
export function isPatched(target: object, name: PropertyKey): boolean {
  return patchOf(target, name) !== undefined;
}

/**
 * Puts `installed` in place of `target[name]`, keeping what was there. A property that is
 * already patched, or cannot be redefined, is left as it is: returns false.
 */
export function patchProperty(target: object, name: PropertyKey, installed: PropertyDescriptor): boolean {
  if (isPatched(target, name)) return false;
  const before = Object.getOwnPropertyDescriptor(target, name);
  if (before !== undefined && !before.configurable) return false;
  Object.defineProperty(target, name, installed);
  let byName = patches.get(target);
  if (byName === undefined) patches.set(target, (byName = new Map()));
  byName.set(name, { before, installed });
  return true;
}

/**
 * Replaces the method `target[name]` by `make(original)`, keeping the original: an own method
 * keeps its attributes (a class method stays non-enumerable, an object's own stays enumerable),
 * an inherited one is shadowed by a non-enumerable own property. Idempotent: a method already
 * patched (by this copy of the library or another) is left alone. Returns whether it patched.
 */
export function patchMethod<F extends Function>(target: object, name: PropertyKey, make: (original: F) => F): boolean {
  if (isPatched(target, name)) return false;
  const original = (target as Record<PropertyKey, unknown>)[name];
  if (typeof original !== 'function') return false;
  const own = Object.getOwnPropertyDescriptor(target, name);
  const data = own !== undefined && 'value' in own;
  return patchProperty(target, name, {
    value: make(original as F),
    writable: data ? own.writable! : true,
    enumerable: data ? own.enumerable! : false,
    configurable: true,
  });
}

/**
 * Takes a patch off: the property is again what it was before (deleted if it was inherited).
 * When something else has replaced the property since, it is left as it is (removing ours would
 * remove theirs): returns false, as it does when nothing of ours is there.
 */
export function unpatch(target: object, name: PropertyKey): boolean {
  const patch = patchOf(target, name);
  if (patch === undefined) return false;
  const now = Object.getOwnPropertyDescriptor(target, name);
  const ours =
    now !== undefined &&
    now.value === patch.installed.value &&
    now.get === patch.installed.get &&
    now.set === patch.installed.set;
  if (!ours) return false;
  if (patch.before === undefined) delete (target as Record<PropertyKey, unknown>)[name];
  else Object.defineProperty(target, name, patch.before);
  patches.get(target)!.delete(name);
  return true;
}
