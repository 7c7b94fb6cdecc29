/**
 * The work's result, or the error of `late()` once `ms` have passed, whichever comes first. The
 * work itself goes on (others may share it); what it yields after the deadline goes to `discard`,
 * so a stream it opened too late is not left open.
 */
export function answerWithin<T>(work: Promise<T>, ms: number, late: () => Error, discard?: (value: T) => void): Promise<T> {
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(late());
    }, ms);
  });
  work.then(
    (value) => {
      if (expired) discard?.(value);
    },
    () => undefined,
  );
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
