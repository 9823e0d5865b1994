/** The rows behind response-time reports: calls raised in a period under a grid subtree. */
import type { Db } from './db.ts';
import type { CallFacts } from '../domain/response-stats.ts';

export class ReportRepo {
  private readonly callsStmt;
  constructor(db: Db) {
    // grid_path range instead of LIKE so the (grid_path, raised_at) index is used.
    this.callsStmt = db.prepare(`SELECT id, grid_id AS gridId, raised_at AS raisedAt, accepted_at AS acceptedAt, accepted_by AS acceptedBy,
      on_site_at AS onSiteAt, resolved_at AS resolvedAt, outcome
      FROM alerts WHERE grid_path >= ? AND grid_path < ? AND raised_at >= ? AND raised_at < ? AND kind = 'call' AND is_test = 0`);
  }

  calls(pathPrefix: string, from: number, to: number): CallFacts[] {
    return this.callsStmt.all(pathPrefix, `${pathPrefix}\uffff`, from, to) as CallFacts[];
  }
}
