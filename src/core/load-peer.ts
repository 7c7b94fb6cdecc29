/** true when `error` says a package could not be found (import() or require()). */
export function isModuleNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The error a start-up gives when an optional peer (or peers) that a platform or feature needs is missing. */
export function missingPeerError(names: string | readonly string[], neededFor: string): Error {
  const list = typeof names === 'string' ? [names] : names;
  const what = list.length === 1 ? `the package ${list[0]}` : `the packages ${list.join(' and ')}`;
  return new Error(
    `nest-wechat-h5: ${neededFor} needs ${what}; install ${list.length === 1 ? 'it' : 'them'} (npm i ${list.join(' ')})`,
  );
}

/**
 * Imports an optional peer dependency that only one platform or feature needs; when it is not
 * installed, the error says which package to add and why.
 */
export async function loadPeer<T>(name: string, neededFor: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw isModuleNotFound(error) ? missingPeerError(name, neededFor) : error;
  }
}
