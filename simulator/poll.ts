/** Waiting in the scenario runner: a plain sleep, and polling a condition until it holds or time runs out. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 50 ms; the milliseconds it took, or null after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number): Promise<number | null> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) return null;
    await sleep(50);
  }
  return performance.now() - start;
}
