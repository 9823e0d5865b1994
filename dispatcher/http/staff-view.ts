/** The public shape of a staff account (never the password hash), and which accounts a caller oversees and manages. */
import type { Staff } from '../store/staff-repo.ts';
import { isWithin } from '../domain/grid.ts';

export const staffView = (s: Staff) => ({ id: s.id, username: s.username, displayName: s.displayName, role: s.role, scopeNodeId: s.scopeNodeId, mustChangePassword: s.mustChangePassword });

/**
 * True when an account's area lies inside `scope` (a caller's, from AlertService.scopeOf): null is
 * everything (an unscoped admin oversees every account), undefined nothing.
 */
export function accountWithin(s: Pick<Staff, 'scopeNodeId'>, scope: string | null | undefined, pathOf: (nodeId: number) => string | undefined): boolean {
  if (scope === null) return true;
  if (scope === undefined || s.scopeNodeId === null) return false;
  const path = pathOf(s.scopeNodeId);
  return path !== undefined && isWithin(path, scope);
}

/**
 * Why `me` may not change this account, or null: admins manage every account; grid leaders the
 * grid workers inside their area (`inArea`), and nobody else (themselves included).
 */
export function whyNotManaged(me: Pick<Staff, 'role'>, s: Pick<Staff, 'role'>, inArea: () => boolean): string | null {
  if (me.role === 'admin') return null;
  return s.role !== 'staff' || !inArea() ? 'that account is not one you manage' : null;
}
