/** The public shape of a staff account (never the password hash). */
import type { Staff } from '../store/staff-repo.ts';

export const staffView = (s: Staff) => ({ id: s.id, username: s.username, displayName: s.displayName, role: s.role, scopeNodeId: s.scopeNodeId });
