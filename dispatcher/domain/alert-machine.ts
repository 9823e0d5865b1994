/**
 * The alert lifecycle as a pure function: transition(alert, input, now, rules) returns the
 * next alert and the effects to carry out, or a refusal with an error code. No I/O here.
 *
 *   raised ──accept──▶ accepted ──arrive──▶ on_site ──resolve──▶ resolved
 *     │  ╲______________arrive (implies accept)____▲                ▲
 *     ├─resident_cancel (in window)─▶ cancelled ──confirm_cancel───┘
 *     └─escalate / renotify: same state, next level or a new deadline
 */
export const ALERT_STATES = ['raised', 'accepted', 'on_site', 'cancelled', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const OPEN_STATES: readonly AlertState[] = ['raised', 'accepted', 'on_site', 'cancelled'];

export const OUTCOMES = ['assisted', 'hospital', 'false_alarm', 'not_home', 'other', 'resident_cancelled', 'cleared'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** Outcomes a staff member may pick when resolving. */
export const STAFF_OUTCOMES: readonly Outcome[] = ['assisted', 'hospital', 'false_alarm', 'not_home', 'other'];

export type DeadlineKind = 'escalate' | 'renotify_arrive';

export interface AlertCore {
  kind: 'call' | 'technical';
  state: AlertState;
  level: number;
  presses: number;
  /** When the latest repeat press came (null until one does). */
  lastPressAt: number | null;
  raisedAt: number;
  acceptedAt: number | null;
  acceptedBy: number | null;
  onSiteAt: number | null;
  resolvedAt: number | null;
  resolvedBy: number | null;
  cancelledAt: number | null;
  outcome: Outcome | null;
  note: string | null;
  deadlineAt: number | null;
  deadlineKind: DeadlineKind | null;
}

export type AlertInput =
  | { type: 'accept'; staffId: number }
  | { type: 'arrive'; staffId: number }
  | { type: 'resolve'; staffId: number; outcome: Outcome; note: string }
  | { type: 'resident_cancel' }
  | { type: 'confirm_cancel'; staffId: number }
  | { type: 'note'; staffId: number; text: string }
  | { type: 'release'; staffId: number }
  | { type: 'repeat_press' }
  | { type: 'escalate'; toLevel: number; nextDeadlineAt: number; initial?: boolean }
  | { type: 'renotify'; nextDeadlineAt: number }
  | { type: 'clear' };
export type InputType = AlertInput['type'];
export const INPUT_TYPES: readonly InputType[] = ['accept', 'arrive', 'resolve', 'resident_cancel', 'confirm_cancel', 'note', 'release', 'repeat_press', 'escalate', 'renotify', 'clear'];

export type DeviceStatus = 'received' | 'help_coming' | 'on_site' | 'resolved' | 'cancelled';

export type Effect =
  | { type: 'notify_device'; status: DeviceStatus }
  | { type: 'log'; event: string; staffId: number | null; data: Record<string, unknown> };

export interface Rules { cancelWindowMs: number; arriveWithinMs: number }

export type TransitionResult =
  | { ok: true; alert: AlertCore; effects: Effect[] }
  | { ok: false; code: 'E_ILLEGAL_TRANSITION'; message: string; holder?: number | null };

const refuse = (message: string, holder?: number | null): TransitionResult => ({ ok: false, code: 'E_ILLEGAL_TRANSITION', message, holder });
const log = (event: string, staffId: number | null = null, data: Record<string, unknown> = {}): Effect => ({ type: 'log', event, staffId, data });
const noDeadline = { deadlineAt: null, deadlineKind: null } as const;

// At module level, not inside transition(): run under tsx (esbuild's keepNames), a function defined
// inside another is re-created and re-named (Object.defineProperty) at every call, 1.4 % of the hub's
// time in benchmark 1's profile.
const ok = (alert: AlertCore, ...effects: Effect[]): TransitionResult => ({ ok: true, alert, effects });

export function transition(a: AlertCore, input: AlertInput, now: number, rules: Rules): TransitionResult {
  if (a.state === 'resolved') {
    if (input.type === 'resolve' || input.type === 'confirm_cancel' || input.type === 'clear') return refuse('this alert is already resolved', a.resolvedBy);
    return refuse(`cannot ${input.type}: this alert is already resolved`, a.resolvedBy);
  }
  const isCall = a.kind === 'call';
  switch (input.type) {
    case 'accept': {
      if (a.state === 'accepted' || a.state === 'on_site') {
        if (a.acceptedBy === input.staffId) return ok(a); // a double tap by the same person
        return refuse('already accepted by someone else', a.acceptedBy);
      }
      const next: AlertCore = { ...a, state: 'accepted', acceptedAt: now, acceptedBy: input.staffId, ...noDeadline };
      if (isCall) Object.assign(next, { deadlineAt: now + rules.arriveWithinMs, deadlineKind: 'renotify_arrive' });
      const fx: Effect[] = [log('accepted', input.staffId)];
      if (isCall) fx.push({ type: 'notify_device', status: 'help_coming' });
      return ok(next, ...fx);
    }
    case 'arrive': {
      if (!isCall) return refuse('technical alerts have no on-site step');
      if (a.state === 'on_site') return a.acceptedBy === input.staffId ? ok(a) : refuse('someone is already on site', a.acceptedBy);
      if (a.state === 'cancelled') return refuse('the resident cancelled this call: confirm the cancel or accept it first');
      if (a.state === 'accepted' && a.acceptedBy !== input.staffId) return refuse('accepted by someone else', a.acceptedBy);
      const fx: Effect[] = [];
      const next: AlertCore = { ...a, state: 'on_site', onSiteAt: now, ...noDeadline };
      if (a.state === 'raised') {
        next.acceptedAt = now;
        next.acceptedBy = input.staffId;
        fx.push(log('accepted', input.staffId, { implied: 'arrived without accepting first' }));
      }
      return ok(next, ...fx, log('on_site', input.staffId), { type: 'notify_device', status: 'on_site' });
    }
    case 'resolve': {
      if (a.state === 'cancelled') return refuse('the resident cancelled this call: confirm the cancel instead');
      const next: AlertCore = { ...a, state: 'resolved', resolvedAt: now, resolvedBy: input.staffId, outcome: input.outcome, note: input.note, ...noDeadline };
      const fx: Effect[] = [log('resolved', input.staffId, { outcome: input.outcome, note: input.note })];
      if (isCall) fx.push({ type: 'notify_device', status: 'resolved' });
      return ok(next, ...fx);
    }
    case 'resident_cancel': {
      if (!isCall) return refuse('only calls can be cancelled by the resident');
      if (a.state === 'cancelled') return ok(a, log('cancel_repeated'));
      if (a.state === 'on_site') return ok(a, log('cancel_ignored_on_site')); // staff are with the resident already
      if (now - a.raisedAt > rules.cancelWindowMs) return ok(a, log('cancel_too_late', null, { windowS: rules.cancelWindowMs / 1000 }));
      // The call stays in the queue until staff confirm; a cancel may come from a confused resident.
      return ok({ ...a, state: 'cancelled', cancelledAt: now }, log('cancelled_by_resident'), { type: 'notify_device', status: 'cancelled' });
    }
    case 'confirm_cancel': {
      if (a.state !== 'cancelled') return refuse('the resident has not cancelled this call');
      return ok({ ...a, state: 'resolved', resolvedAt: now, resolvedBy: input.staffId, outcome: 'resident_cancelled', note: '', ...noDeadline },
        log('cancel_confirmed', input.staffId), { type: 'notify_device', status: 'resolved' });
    }
    case 'note': {
      // What staff learned on the way ("son reached, on his way"): on the record and on every console, the call's course unchanged.
      return ok({ ...a }, log('note', input.staffId, { text: input.text }));
    }
    case 'release': {
      // Whoever accepted cannot go after all (a car that will not start): the call rings again rather than
      // wait out the arrive deadline. The accept stays on the record; the report times the accept that held.
      if (a.state === 'on_site') return refuse('someone is on site: resolve the call instead');
      if (a.state !== 'accepted') return refuse(`only an accepted call can be handed back; this one is ${a.state}`);
      // The resident's button was told help is coming: it is told again that the call is received and
      // waiting, not left promising someone who is not on the way (help_coming follows the next accept).
      return ok({ ...a, state: 'raised', acceptedAt: null, acceptedBy: null, ...noDeadline }, log('released', input.staffId, { heldBy: a.acceptedBy }),
        ...(isCall ? [{ type: 'notify_device' as const, status: 'received' as const }] : []));
    }
    case 'repeat_press': {
      // Each press is its own row in device_events; the timeline logs only what changes the call's course.
      const presses = a.presses + 1;
      const next: AlertCore = { ...a, presses, lastPressAt: now };
      if (a.state !== 'cancelled') return ok(next);
      return ok({ ...next, state: a.acceptedBy !== null ? 'accepted' : 'raised' }, log('reopened', null, { presses }));
    }
    case 'escalate': {
      if (a.state !== 'raised' && a.state !== 'cancelled') return refuse(`cannot escalate an alert that is ${a.state}`);
      const moved = input.toLevel !== a.level;
      const next: AlertCore = { ...a, level: input.toLevel, deadlineAt: input.nextDeadlineAt, deadlineKind: 'escalate' };
      if (!moved && input.initial) return ok(next);
      return ok(next, log(moved ? 'escalated' : 'renotified', null, { from: a.level, level: input.toLevel }));
    }
    case 'renotify': {
      if (a.state !== 'accepted') return refuse(`cannot re-notify an alert that is ${a.state}`);
      return ok({ ...a, deadlineAt: input.nextDeadlineAt, deadlineKind: 'renotify_arrive' }, log('arrive_overdue', null, { acceptedBy: a.acceptedBy }));
    }
    case 'clear': {
      if (isCall) return refuse('calls are resolved by staff, not cleared');
      return ok({ ...a, state: 'resolved', resolvedAt: now, outcome: 'cleared', note: '', ...noDeadline }, log('cleared'));
    }
  }
}
