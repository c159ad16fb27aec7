// Waiting for work that may never end (a native call stuck on a thread), for a bounded time.

/**
 * Resolves true when `work` settles (fulfils or rejects) within `ms`, false otherwise; the work
 * goes on regardless. Its rejection is not rethrown: callers only ask whether it finished.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
