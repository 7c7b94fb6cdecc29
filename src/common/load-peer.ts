/**
 * Imports an optional peer dependency that only one platform or feature needs; when it is not
 * installed, the error says which package to add and why.
 */
export async function loadPeer<T>(name: string, neededFor: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException)?.code !== 'ERR_MODULE_NOT_FOUND' &&
      (error as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND'
    )
      throw error;
    throw new Error(`nest-wechat-h5: ${neededFor} needs the package ${name}; install it (npm i ${name})`);
  }
}
