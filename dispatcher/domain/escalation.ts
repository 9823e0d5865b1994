/**
 * Escalation planning (三级网格长): where along the grid chain an unaccepted call should
 * ring now, and when the next step is due. Pure: roster and presence come in as functions.
 *
 * chain[0] is the household's grid, chain[1] its parent (community), and so on up to the root.
 * A level with nobody on duty, or nobody on duty connected, is skipped at once. At the top the
 * call stays and re-notifies on the same period until someone acts: it never goes quiet.
 */
export interface PlanInputs {
  chain: number[];
  fromLevel: number;
  /** Skip the level we are at and start one above (a deadline fired there). */
  moveUp: boolean;
  onDuty: (nodeId: number) => number[];
  isOnline: (staffId: number) => boolean;
  escalateAfterS: (nodeId: number) => number;
  now: number;
  /**
   * Staff who handed this call back (they cannot go): left out at every level, neither rung nor
   * counted as waited for, so a level where they were the only one on duty is passed at once.
   * Unless nobody else can be reached from here to the top: then the call rings for them again
   * (`askedAgain`) rather than for nobody. A call never goes quiet.
   */
  passedOver?: readonly number[];
}

export interface Skip { level: number; nodeId: number; why: 'nobody_on_duty' | 'nobody_online' | 'handed_back' }
export interface Placement {
  level: number;
  nodeId: number;
  /** On-duty staff at the chosen level who are connected now: they ring. */
  reach: number[];
  /** On duty but not connected: told when they connect. */
  onDutyOffline: number[];
  skipped: Skip[];
  nextDeadlineAt: number;
  /** True when nobody at any level from the start up to the top could be reached. */
  nobodyReachable: boolean;
  /** Nobody but those who handed the call back could be reached: it rings for them again. */
  askedAgain: boolean;
}

export function planPlacement(p: PlanInputs): Placement {
  const plan = planPast(p);
  if (!plan.nobodyReachable || !p.passedOver?.length) return plan;
  const again = planPast({ ...p, passedOver: [] });
  return again.nobodyReachable ? plan : { ...again, askedAgain: true };
}

function planPast(p: PlanInputs): Placement {
  const top = p.chain.length - 1;
  let level = Math.min(p.moveUp ? p.fromLevel + 1 : p.fromLevel, top);
  const skipped: Skip[] = [];
  for (;;) {
    const nodeId = p.chain[level];
    const onDuty = p.onDuty(nodeId);
    const duty = p.passedOver?.length ? onDuty.filter((s) => !p.passedOver!.includes(s)) : onDuty;
    const reach = duty.filter(p.isOnline);
    const offline = duty.filter((s) => !p.isOnline(s));
    const why = onDuty.length === 0 ? 'nobody_on_duty' : duty.length === 0 ? 'handed_back' : 'nobody_online';
    if (reach.length > 0 || level === top) {
      if (reach.length === 0) skipped.push({ level, nodeId, why });
      return {
        level, nodeId, reach, onDutyOffline: offline, skipped,
        nextDeadlineAt: p.now + p.escalateAfterS(nodeId) * 1000,
        nobodyReachable: reach.length === 0,
        askedAgain: false,
      };
    }
    skipped.push({ level, nodeId, why });
    level++;
  }
}
