/**
 * The few Reflect metadata functions tsyringe (a dependency of @peculiar/x509 2.x) checks
 * for when it loads; without them it throws "tsyringe requires a reflect polyfill". The
 * reflect-metadata package would do, but it is not one of our dependencies; this is the
 * part tsyringe uses (decorators read `design:paramtypes`, which nothing here emits, so
 * lookups simply find nothing). Defined only where no polyfill is loaded already.
 */
type MetadataTarget = object;
const tables = new WeakMap<MetadataTarget, Map<unknown, unknown>>();

function table(target: MetadataTarget, create: boolean): Map<unknown, unknown> | undefined {
  let found = tables.get(target);
  if (!found && create) tables.set(target, (found = new Map()));
  return found;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  const define = (key: unknown, value: unknown, target: MetadataTarget) => void table(target, true)!.set(key, value);
  const getOwn = (key: unknown, target: MetadataTarget) => table(target, false)?.get(key);
  const get = (key: unknown, target: MetadataTarget) => {
    for (let at: MetadataTarget | null = target; at; at = Object.getPrototypeOf(at) as MetadataTarget | null) {
      const own = table(at, false);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  };
  Object.assign(reflect, {
    defineMetadata: define,
    getOwnMetadata: getOwn,
    getMetadata: get,
    hasOwnMetadata: (key: unknown, target: MetadataTarget) => table(target, false)?.has(key) ?? false,
    hasMetadata: (key: unknown, target: MetadataTarget) => get(key, target) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: MetadataTarget) => define(key, value, target),
  });
}

export {};
