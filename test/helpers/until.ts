/** Polls `cond` every `everyMs` until it holds; throws after `ms`. For waits on the hub's own asynchronous work (not on the clock). */
export async function until(cond: () => boolean, ms = 3000, everyMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
