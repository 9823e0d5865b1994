/**
 * Long admin writes (bulk provisioning, a household import) in chunks: one transaction per chunk,
 * each made durable before the next is written, with a turn of the event loop between. A press's
 * fsync covers every write before it, so it then waits for one chunk at most, not for all that was
 * written so far (bench/household-import-cost.ts: press commit p99 77–559 ms → 46–57 ms at
 * 20,000 households), and acks and pushes run between chunks.
 */
import type { Store } from './store.ts';

export async function writeInChunks<T>(store: Store, items: readonly T[], size: number, write: (item: T, index: number) => void): Promise<void> {
  for (let from = 0; from < items.length; from += size) {
    store.tx(() => {
      for (let i = from; i < Math.min(from + size, items.length); i++) write(items[i], i);
    });
    await store.wal.durable(store.writeMark());
    await new Promise((r) => setImmediate(r));
  }
}
