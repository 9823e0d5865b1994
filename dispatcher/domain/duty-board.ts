/**
 * The duty board (值班表): for each grid node a supervisor can see, who is on duty now, whether
 * they have a console open, and where a call raised in that node now would ring first. Pure:
 * roster and presence come in as functions, and the "rings first at" answer comes from the same
 * planner the hub places calls with (escalation.ts), so the board cannot promise what the hub
 * would not do.
 */
import { planPlacement } from './escalation.ts';
import { chainUp } from './grid.ts';

export interface BoardNodeIn { id: number; parentId: number | null; name: string; level: string; path: string }

export interface BoardInputs {
  /** The nodes to show, in tree order (by path). */
  nodes: readonly BoardNodeIn[];
  onDuty: (nodeId: number) => number[];
  isOnline: (staffId: number) => boolean;
  escalateAfterS: (nodeId: number) => number;
  /** Any node's name, the chain above the caller's scope included. */
  nodeName: (nodeId: number) => string | undefined;
  now: number;
}

/**
 * covered: someone on duty has a console open; offline: on duty, nobody connected (a call skips
 * this level at once); empty: nobody on duty (skipped too).
 */
export type Cover = 'covered' | 'offline' | 'empty';

export interface BoardRow {
  id: number;
  parentId: number | null;
  name: string;
  level: string;
  /** Depth below the first node shown (0 for the top of the caller's scope). */
  depth: number;
  escalateAfterS: number;
  onDuty: { staffId: number; online: boolean }[];
  cover: Cover;
  /** Where a call raised here now would ring: this node or one above; null when it would reach nobody. */
  ringsAt: { nodeId: number; name: string; levelsUp: number; reach: number } | null;
}

export interface BoardSummary { nodes: number; covered: number; offline: number; empty: number; unreachable: number }

export function dutyBoard(p: BoardInputs): { summary: BoardSummary; nodes: BoardRow[] } {
  const topDepth = Math.min(...p.nodes.map((n) => chainUp(n.path).length));
  const summary: BoardSummary = { nodes: p.nodes.length, covered: 0, offline: 0, empty: 0, unreachable: 0 };
  const rows = p.nodes.map((n): BoardRow => {
    const duty = p.onDuty(n.id);
    const onDuty = duty.map((staffId) => ({ staffId, online: p.isOnline(staffId) }));
    const cover: Cover = onDuty.some((d) => d.online) ? 'covered' : duty.length ? 'offline' : 'empty';
    summary[cover]++;
    const chain = chainUp(n.path);
    const plan = planPlacement({ chain, fromLevel: 0, moveUp: false, now: p.now, onDuty: p.onDuty, isOnline: p.isOnline, escalateAfterS: p.escalateAfterS });
    if (plan.nobodyReachable) summary.unreachable++;
    return {
      id: n.id, parentId: n.parentId, name: n.name, level: n.level, depth: chain.length - topDepth,
      escalateAfterS: p.escalateAfterS(n.id), onDuty, cover,
      ringsAt: plan.nobodyReachable ? null : { nodeId: plan.nodeId, name: p.nodeName(plan.nodeId) ?? String(plan.nodeId), levelsUp: plan.level, reach: plan.reach.length },
    };
  });
  return { summary, nodes: rows };
}
