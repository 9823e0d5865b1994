/**
 * The grid tree (网格) as materialized paths: a node's path is its ancestors' ids and its
 * own, as "/1/2/7/". Pure helpers for scope and line-of-command checks.
 */
export function childPath(parentPath: string | null, id: number): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** True when the node at `path` lies in the subtree rooted at `scopePath` (inclusive). */
export function isWithin(path: string, scopePath: string): boolean {
  return path.startsWith(scopePath);
}

/**
 * "Is this node inside that area?" over a set of nodes by id: the area a node id, or null for the
 * whole tree. A node or area not in the set is inside nothing.
 */
export function withinArea(nodes: ReadonlyMap<number, { path: string }>): (nodeId: number, areaNodeId: number | null) => boolean {
  return (nodeId, area) => {
    const node = nodes.get(nodeId)?.path;
    if (node === undefined) return false;
    if (area === null) return true;
    const scope = nodes.get(area)?.path;
    return scope !== undefined && isWithin(node, scope);
  };
}

/** Node ids from the node itself up to the root: the escalation chain. */
export function chainUp(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number).reverse();
}

export const LEVEL_ORDER = ['city', 'district', 'street', 'community', 'grid', 'building', 'floor', 'unit'] as const;
export type GridLevel = (typeof LEVEL_ORDER)[number];
