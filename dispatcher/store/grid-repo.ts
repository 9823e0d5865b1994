/** Grid tree nodes (district › street › community › grid › building …) in the store. */
import type { Db } from './db.ts';
import { childPath, type GridLevel } from '../domain/grid.ts';
import { HubError } from '../errors.ts';

export interface GridNode {
  id: number;
  parentId: number | null;
  name: string;
  level: GridLevel;
  path: string;
  escalateAfterS: number | null;
  timeZone: string | null;
}

/** What depends on a grid node (GridRepo.usage). */
export interface GridNodeUsage { children: number; households: number; staff: number; hasAlerts: boolean }

const COLS = 'id, parent_id AS parentId, name, level, path, escalate_after_s AS escalateAfterS, time_zone AS timeZone';

export class GridRepo {
  private cache: Map<number, GridNode> | null = null;
  constructor(private readonly db: Db) {}

  add(parentId: number | null, name: string, level: GridLevel, opts: { escalateAfterS?: number | null; timeZone?: string | null } = {}): GridNode {
    const parent = parentId === null ? null : this.get(parentId);
    const tx = this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO grid_nodes (parent_id, name, level, path, escalate_after_s, time_zone) VALUES (?, ?, ?, ?, ?, ?)')
        .run(parentId, name, level, `/tmp-${Math.random()}/`, opts.escalateAfterS ?? null, opts.timeZone ?? null).lastInsertRowid);
      this.db.prepare('UPDATE grid_nodes SET path = ? WHERE id = ?').run(childPath(parent?.path ?? null, id), id);
      return id;
    });
    const id = tx();
    this.cache = null;
    return this.get(id);
  }

  rename(id: number, name: string): void {
    this.get(id);
    this.db.prepare('UPDATE grid_nodes SET name = ? WHERE id = ?').run(name, id);
    this.cache = null;
  }

  setEscalateAfter(id: number, seconds: number | null): void {
    this.get(id);
    this.db.prepare('UPDATE grid_nodes SET escalate_after_s = ? WHERE id = ?').run(seconds, id);
    this.cache = null;
  }

  /**
   * What depends on a node: child nodes, households registered in it and staff accounts scoped to
   * it, counted; and whether any alert (a call, or a device's) was ever raised at or under it (its history keeps its place in
   * the tree, so such a node is renamed, never removed).
   */
  usage(id: number): GridNodeUsage {
    const node = this.get(id);
    const count = (sql: string, ...args: (number | string)[]) => (this.db.prepare(sql).get(...args) as { n: number }).n;
    return {
      children: count('SELECT count(*) AS n FROM grid_nodes WHERE parent_id = ?', id),
      households: count('SELECT count(*) AS n FROM households WHERE grid_id = ?', id),
      staff: count('SELECT count(*) AS n FROM staff WHERE scope_node_id = ?', id),
      // Any one is enough; the range on grid_path uses the alerts_raised index.
      hasAlerts: count('SELECT count(*) AS n FROM (SELECT 1 FROM alerts WHERE grid_path >= ? AND grid_path < ? LIMIT 1)', node.path, `${node.path}\uffff`) > 0,
    };
  }

  /**
   * Puts a node, and everything below it, under `parentId` (null: the top): their paths are
   * rewritten. Only for a subtree no call was ever raised in (see usage; the caller checks): a
   * call's path is its place in the history and the reports.
   */
  move(id: number, parentId: number | null): GridNode {
    const node = this.get(id);
    const from = node.path;
    const to = childPath(parentId === null ? null : this.get(parentId).path, id);
    this.db.transaction(() => {
      this.db.prepare('UPDATE grid_nodes SET parent_id = ? WHERE id = ?').run(parentId, id);
      // Each path in the subtree ends in its own node's id, so no new path can equal another's old one.
      this.db.prepare('UPDATE grid_nodes SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?').run(to, from.length + 1, from, `${from}\uffff`);
    })();
    this.cache = null;
    return this.get(id);
  }

  /** Removes a node nothing depends on (see usage; the caller checks), with its roster. */
  remove(id: number): { shifts: number; overrides: number } {
    this.get(id);
    const out = this.db.transaction(() => ({
      shifts: this.db.prepare('DELETE FROM roster_shifts WHERE node_id = ?').run(id).changes,
      overrides: this.db.prepare('DELETE FROM roster_overrides WHERE node_id = ?').run(id).changes,
      node: this.db.prepare('DELETE FROM grid_nodes WHERE id = ?').run(id).changes,
    }))();
    this.cache = null;
    return { shifts: out.shifts, overrides: out.overrides };
  }

  private all(): Map<number, GridNode> {
    if (!this.cache) {
      const rows = this.db.prepare(`SELECT ${COLS} FROM grid_nodes`).all() as GridNode[];
      this.cache = new Map(rows.map((r) => [r.id, r]));
    }
    return this.cache;
  }

  list(): GridNode[] {
    return [...this.all().values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  find(id: number): GridNode | undefined {
    return this.all().get(id);
  }

  get(id: number): GridNode {
    const n = this.find(id);
    if (!n) throw new HubError('E_NOT_FOUND', `grid node ${id} does not exist`);
    return n;
  }

  /** The top of the grid tree (the first root, if several were created). */
  root(): GridNode | undefined {
    let top: GridNode | undefined;
    for (const n of this.all().values()) if (n.parentId === null && (!top || n.id < top.id)) top = n;
    return top;
  }

  findChild(parentId: number | null, name: string): GridNode | undefined {
    return this.list().find((n) => n.parentId === parentId && n.name === name);
  }

  /** The time zone that applies at a node: its own, or the nearest ancestor's, or the default. */
  timeZoneOf(id: number, fallback: string): string {
    for (let n = this.find(id); n; n = n.parentId === null ? undefined : this.find(n.parentId)) {
      if (n.timeZone) return n.timeZone;
    }
    return fallback;
  }
}
