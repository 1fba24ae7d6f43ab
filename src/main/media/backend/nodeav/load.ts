/**
 * Loading node-av is optional: it is an optionalDependency with a 167 MB native binary
 * that may be missing or refuse to load (wrong glibc, Electron ABI). The caller falls
 * back to the CLI backend, so this never throws: it returns the module or the reason.
 */
export type NodeAv = typeof import('node-av');

/** node-av calls Promise.withResolvers, which Node 20 lacks (it arrived in Node 22). */
function polyfillWithResolvers(): void {
  const ctor = Promise as unknown as { withResolvers?: unknown };
  if (typeof ctor.withResolvers === 'function') return;
  ctor.withResolvers = function withResolvers<T>(this: PromiseConstructor) {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new this<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

let loading: Promise<{ av: NodeAv } | { error: string }> | undefined;

export function loadNodeAv(): Promise<{ av: NodeAv } | { error: string }> {
  return (loading ??= (async () => {
    polyfillWithResolvers();
    try {
      const av = (await import('node-av')) as NodeAv;
      // Touching the binding proves the native part loaded, not just the JS wrapper.
      av.getFFmpegInfo();
      return { av };
    } catch (error) {
      return { error: `node-av could not be loaded: ${error instanceof Error ? error.message : String(error)}` };
    }
  })());
}
