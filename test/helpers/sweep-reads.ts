/** Counts the rows the health sweep reads: wraps the health repository's six page reads in a test hub. */
import type { HealthRepo, Page } from '../../dispatcher/store/health-repo.ts';

export const SWEEP_READS = ['overdue', 'overdueOver', 'lowBattery', 'lowBatteryOver', 'testOverdue', 'testOverdueOver'] as const;
export interface SweepRead { name: (typeof SWEEP_READS)[number]; limit: number; read: number }

/** From now on, `heard` is told of every page read: which read, its limit and the rows it returned. */
export function countSweepReads(repo: HealthRepo, heard: (r: SweepRead) => void): void {
  const reads = repo as unknown as Record<string, (...a: unknown[]) => Page<unknown>>;
  for (const name of SWEEP_READS) {
    const orig = reads[name].bind(repo);
    reads[name] = (...a: unknown[]) => {
      const p = orig(...a);
      heard({ name, limit: a[a.length - 1] as number, read: p.read });
      return p;
    };
  }
}
