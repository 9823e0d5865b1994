/** Every row a walk of the health queries finds, read `limit` rows at a time (dispatcher/store/health-repo.ts). */
import type { Cursor, Page } from '../../dispatcher/store/health-repo.ts';

export function everyRow<T>(read: (from: Cursor | undefined, limit: number) => Page<T>, limit = 500): T[] {
  const out: T[] = [];
  let from: Cursor | undefined;
  for (;;) {
    const p = read(from, limit);
    out.push(...p.rows);
    if (!p.next) return out;
    from = p.next;
  }
}
