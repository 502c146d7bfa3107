// The SDK carries a secret API key and is meant for servers only. A browser page or a web worker
// would expose the key to every visitor, so constructing the client there throws unless the
// caller explicitly allows it (e.g. an internal tool behind authentication, or a test runner
// that simulates a DOM).

export function looksLikeBrowser(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): boolean {
  const hasDom = typeof scope.window === 'object' && scope.window !== null && typeof scope.document === 'object' && scope.document !== null;
  const isWebWorker = typeof scope.importScripts === 'function' && typeof scope.WorkerGlobalScope !== 'undefined';
  return hasDom || isWebWorker;
}
