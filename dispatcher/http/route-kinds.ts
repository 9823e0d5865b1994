/**
 * What a request is, by its method and route pattern, for the hooks that treat kinds of request
 * alike: the durable answers (durable-answers.ts), the audit log (audit/audit-hook.ts), the hold
 * on an account whose password someone else set (security/first-password.ts) and the duty pages'
 * hint (app.ts).
 */

/** The methods that change something. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The action of a staff action on a call ("ack", "note" …) for its route ("POST /api/alerts/:id/ack"), or null. */
export function alertActionOf(route: string): string | null {
  return /^POST \/api\/alerts\/:id\/([a-z-]+)$/.exec(route)?.[1] ?? null;
}

/** The tree, its rosters and the staff accounts: a write there may change the duty board. */
export function isDutyRoute(url: string | undefined): boolean {
  return url !== undefined && /^\/api\/(grid|staff)(\/|$)/.test(url);
}
