/** The pure alert state machine: every pair of state and input. */
import { describe, expect, it } from 'vitest';
import { ALERT_STATES, INPUT_TYPES, transition, type AlertCore, type AlertInput, type AlertState, type InputType } from '../dispatcher/domain/alert-machine.ts';

const T0 = 1_000_000;
const rules = { cancelWindowMs: 120_000, arriveWithinMs: 1_800_000 };
const STAFF = 7, OTHER = 8;

function alertIn(state: AlertState, kind: 'call' | 'technical' = 'call'): AlertCore {
  const accepted = state === 'accepted' || state === 'on_site';
  return {
    kind, state, level: 0, presses: 1, lastPressAt: null, raisedAt: T0,
    acceptedAt: accepted ? T0 + 10_000 : null, acceptedBy: accepted ? STAFF : null,
    onSiteAt: state === 'on_site' ? T0 + 20_000 : null,
    resolvedAt: state === 'resolved' ? T0 + 30_000 : null, resolvedBy: state === 'resolved' ? STAFF : null,
    cancelledAt: state === 'cancelled' ? T0 + 5_000 : null,
    outcome: state === 'resolved' ? 'assisted' : null, note: null,
    deadlineAt: state === 'raised' ? T0 + 60_000 : null, deadlineKind: state === 'raised' ? 'escalate' : null,
  };
}

const inputs: Record<InputType, AlertInput> = {
  accept: { type: 'accept', staffId: OTHER },
  arrive: { type: 'arrive', staffId: STAFF },
  resolve: { type: 'resolve', staffId: STAFF, outcome: 'assisted', note: 'ok' },
  resident_cancel: { type: 'resident_cancel' },
  confirm_cancel: { type: 'confirm_cancel', staffId: STAFF },
  note: { type: 'note', staffId: OTHER, text: '儿子已联系上，正在赶来' },
  release: { type: 'release', staffId: STAFF },
  repeat_press: { type: 'repeat_press' },
  escalate: { type: 'escalate', toLevel: 1, nextDeadlineAt: T0 + 120_000 },
  renotify: { type: 'renotify', nextDeadlineAt: T0 + 3_600_000 },
  clear: { type: 'clear' },
};

// Expected resulting state for a call, or 'refused'.
const CALL: Record<AlertState, Record<InputType, AlertState | 'refused'>> = {
  raised: { accept: 'accepted', arrive: 'on_site', resolve: 'resolved', resident_cancel: 'cancelled', confirm_cancel: 'refused', note: 'raised', release: 'refused', repeat_press: 'raised', escalate: 'raised', renotify: 'refused', clear: 'refused' },
  accepted: { accept: 'refused', arrive: 'on_site', resolve: 'resolved', resident_cancel: 'cancelled', confirm_cancel: 'refused', note: 'accepted', release: 'raised', repeat_press: 'accepted', escalate: 'refused', renotify: 'accepted', clear: 'refused' },
  on_site: { accept: 'refused', arrive: 'on_site', resolve: 'resolved', resident_cancel: 'on_site', confirm_cancel: 'refused', note: 'on_site', release: 'refused', repeat_press: 'on_site', escalate: 'refused', renotify: 'refused', clear: 'refused' },
  cancelled: { accept: 'accepted', arrive: 'refused', resolve: 'refused', resident_cancel: 'cancelled', confirm_cancel: 'resolved', note: 'cancelled', release: 'refused', repeat_press: 'raised', escalate: 'cancelled', renotify: 'refused', clear: 'refused' },
  resolved: { accept: 'refused', arrive: 'refused', resolve: 'refused', resident_cancel: 'refused', confirm_cancel: 'refused', note: 'refused', release: 'refused', repeat_press: 'refused', escalate: 'refused', renotify: 'refused', clear: 'refused' },
};

describe('transition(alert, input, now) for calls: every state × input', () => {
  for (const state of ALERT_STATES) {
    for (const type of INPUT_TYPES) {
      const want = CALL[state][type];
      it(`${state} + ${type} → ${want}`, () => {
        const r = transition(alertIn(state), inputs[type], T0 + 30_000, rules);
        if (want === 'refused') {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.code).toBe('E_ILLEGAL_TRANSITION');
        } else {
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.alert.state).toBe(want);
        }
      });
    }
  }
});

describe('transition details', () => {
  it('accept tells the device help_coming, sets the arrive deadline and clears escalation', () => {
    const r = transition(alertIn('raised'), { type: 'accept', staffId: STAFF }, T0 + 5000, rules);
    expect(r.ok && r.alert.deadlineKind).toBe('renotify_arrive');
    expect(r.ok && r.alert.deadlineAt).toBe(T0 + 5000 + rules.arriveWithinMs);
    expect(r.ok && r.effects).toContainEqual({ type: 'notify_device', status: 'help_coming' });
  });

  it('a second accept by someone else is refused and names the holder; the same person is idempotent', () => {
    const a = alertIn('accepted');
    const other = transition(a, { type: 'accept', staffId: OTHER }, T0, rules);
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.holder).toBe(STAFF);
    const same = transition(a, { type: 'accept', staffId: STAFF }, T0, rules);
    expect(same.ok && same.effects).toEqual([]);
  });

  it('a resident cancel outside the window is recorded but does not cancel', () => {
    const r = transition(alertIn('raised'), { type: 'resident_cancel' }, T0 + rules.cancelWindowMs + 1, rules);
    expect(r.ok && r.alert.state).toBe('raised');
    expect(r.ok && r.effects.map((e) => e.type === 'log' && e.event)).toContain('cancel_too_late');
  });

  it('a repeat press raises the press count and reopens a cancelled call; only the reopen is logged', () => {
    const r = transition(alertIn('cancelled'), { type: 'repeat_press' }, T0 + 7000, rules);
    expect(r.ok && r.alert).toMatchObject({ presses: 2, lastPressAt: T0 + 7000, state: 'raised' });
    expect(r.ok && r.effects).toEqual([{ type: 'log', event: 'reopened', staffId: null, data: { presses: 2 } }]);
    const plain = transition(alertIn('accepted'), { type: 'repeat_press' }, T0 + 8000, rules);
    expect(plain.ok && plain.alert).toMatchObject({ presses: 2, lastPressAt: T0 + 8000, state: 'accepted' });
    expect(plain.ok && plain.effects).toEqual([]); // each press is a device_events row already
  });

  it('arriving without accepting implies the accept, and the timeline says so', () => {
    const r = transition(alertIn('raised'), { type: 'arrive', staffId: STAFF }, T0 + 9000, rules);
    expect(r.ok && r.alert.acceptedBy).toBe(STAFF);
    expect(r.ok && r.alert.acceptedAt).toBe(T0 + 9000);
  });

  it('technical alerts: accept and clear work, arrive and resident cancel do not', () => {
    const t = alertIn('raised', 'technical');
    expect(transition(t, { type: 'accept', staffId: STAFF }, T0, rules).ok).toBe(true);
    expect(transition(t, { type: 'clear' }, T0, rules).ok).toBe(true);
    expect(transition(t, { type: 'arrive', staffId: STAFF }, T0, rules).ok).toBe(false);
    expect(transition(t, { type: 'resident_cancel' }, T0, rules).ok).toBe(false);
  });
});
