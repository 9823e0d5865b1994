/** The rows behind response-time reports: calls raised in a period under a grid subtree. */
import type { Db } from './db.ts';
import type { CallFacts } from '../domain/response-stats.ts';

export class ReportRepo {
  private readonly callsStmt;
  constructor(db: Db) {
    // grid_path range instead of LIKE so the (grid_path, raised_at) index is used.
    this.callsStmt = db.prepare(`SELECT id, grid_id AS gridId, household_id AS householdId, raised_at AS raisedAt, accepted_at AS acceptedAt, accepted_by AS acceptedBy,
      on_site_at AS onSiteAt, resolved_at AS resolvedAt, outcome
      FROM alerts INDEXED BY alerts_report WHERE grid_path >= ? AND grid_path < ? AND raised_at >= ? AND raised_at < ? AND kind = 'call' AND is_test = 0`).raw(true);
  }

  calls(pathPrefix: string, from: number, to: number): (CallFacts & { householdId: number | null })[] {
    // Raw rows are a good deal cheaper than objects at 100,000 rows.
    const rows = this.callsStmt.all(pathPrefix, `${pathPrefix}\uffff`, from, to) as unknown[][];
    return rows.map((r) => ({
      id: r[0] as string, gridId: r[1] as number, householdId: r[2] as number | null, raisedAt: r[3] as number, acceptedAt: r[4] as number | null,
      acceptedBy: r[5] as number | null, onSiteAt: r[6] as number | null, resolvedAt: r[7] as number | null, outcome: r[8] as string | null,
    }));
  }
}
