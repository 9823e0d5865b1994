/** The scenario file format (JSON or YAML), validated with zod. See docs/simulator.md. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EVENT_TYPES } from '../gateway/protocol.ts';

const secs = z.number().min(0);
const pos = z.number().positive();

const stepExpect = z.object({
  ackedWithinS: pos.optional(),
  onConsoleWithinS: pos.optional(),
  acceptedWithinS: pos.optional(),
  helpComingWithinS: pos.optional(),
  allConnectedWithinS: pos.optional(),
  consolesLiveWithinS: pos.optional(),
  lowBatteryOnConsoleWithinS: pos.optional(),
  batteryClearedOnConsoleWithinS: pos.optional(),
  offlineOnConsoleWithinS: pos.optional(),
  offlineClearedWithinS: pos.optional(),
}).strict();

const STEP_ACTIONS = ['press', 'pressMany', 'dropLinks', 'restartHub', 'reconnectStorm', 'dropConsoles', 'battery'];

export const stepSchema = z.object({
  at: secs,
  label: z.string().optional(),
  press: z.string().optional(),
  type: z.enum(EVENT_TYPES).optional(),
  pressMany: z.object({ count: z.number().int().min(1).max(1_000_000), overS: secs, type: z.enum(EVENT_TYPES).optional() }).strict().optional(),
  dropLinks: z.object({ percent: z.number().min(0).max(100), forS: pos }).strict().optional(),
  restartHub: z.union([z.literal(true), z.object({ downS: secs.optional(), crash: z.boolean().optional() }).strict()]).optional(),
  reconnectStorm: z.object({ withinS: pos }).strict().optional(),
  dropConsoles: z.object({ forS: pos }).strict().optional(),
  battery: z.object({ device: z.string().min(1), percent: z.number().int().min(0).max(100) }).strict().optional(),
  expect: stepExpect.optional(),
}).strict().superRefine((s, ctx) => {
  const actions = STEP_ACTIONS.filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  if (actions.length > 1) ctx.addIssue({ code: 'custom', message: `one action per step, got ${actions.join(' and ')}` });
  if (actions.length === 0 && !s.expect) ctx.addIssue({ code: 'custom', message: `a step needs an action (${STEP_ACTIONS.join(', ')}) or an expect` });
  const e = s.expect ?? {};
  const perPress = ['ackedWithinS', 'onConsoleWithinS', 'acceptedWithinS', 'helpComingWithinS'].filter((k) => (e as Record<string, unknown>)[k] !== undefined);
  if (perPress.length && !s.press) ctx.addIssue({ code: 'custom', message: `${perPress.join(', ')} can only follow a single press` });
  for (const k of ['lowBatteryOnConsoleWithinS', 'batteryClearedOnConsoleWithinS'] as const) {
    if (e[k] !== undefined && !s.battery) ctx.addIssue({ code: 'custom', message: `${k} can only follow a battery step` });
  }
  for (const k of ['offlineOnConsoleWithinS', 'offlineClearedWithinS'] as const) {
    if (e[k] !== undefined && !s.dropLinks) ctx.addIssue({ code: 'custom', message: `${k} can only follow a dropLinks step` });
  }
  if (e.lowBatteryOnConsoleWithinS !== undefined && e.batteryClearedOnConsoleWithinS !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'a battery step expects a low battery or its clearing, not both' });
  }
});

export const scenarioSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  hub: z.union([
    z.object({ spawn: z.literal(true), env: z.record(z.string(), z.string()).optional() }).strict(),
    z.object({ mqtt: z.string().url(), http: z.string().url() }).strict(),
  ]).default({ spawn: true }),
  devices: z.union([
    z.literal('demo'),
    z.object({ demo: z.number().int().min(1).max(20) }).strict(),
    z.object({ provision: z.object({ prefix: z.string(), count: z.number().int().min(1).max(50_000), gridId: z.number().int().min(1) }).strict() }).strict(),
  ]).default('demo'),
  fleet: z.object({
    heartbeatS: secs.optional(), pressPerMin: secs.optional(), cancelPerMin: secs.optional(), testPerMin: secs.optional(),
    maxPresses: z.number().int().min(0).optional(), resendS: pos.optional(), connectParallel: z.number().int().min(1).max(5000).optional(),
  }).strict().default({}),
  watch: z.union([z.literal(false), z.object({ user: z.string(), password: z.string() }).strict()]).default({ user: 'admin', password: 'demo-pass' }),
  responders: z.union([z.literal(false), z.object({
    users: z.array(z.string()).min(1).optional(), password: z.string().optional(),
    acceptAfterS: secs.optional(), arriveAfterS: secs.optional(), resolveAfterS: secs.optional(), jitter: z.number().min(0).max(1).optional(),
  }).strict()]).default(false),
  durationS: pos,
  settleS: secs.default(30),
  timeline: z.array(stepSchema).default([]),
  expect: z.object({
    maxNeverAcked: z.number().int().min(0).default(0),
    maxNeverOnConsole: z.number().int().min(0).default(0),
    pressToAckP99Ms: pos.optional(),
    pressToConsoleP99Ms: pos.optional(),
    pressToHelpComingP99Ms: pos.optional(),
    minPresses: z.number().int().min(0).optional(),
  }).strict().default({ maxNeverAcked: 0, maxNeverOnConsole: 0 }),
}).strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type Step = z.output<typeof stepSchema>;

export class ScenarioError extends Error {}

export function parseScenario(text: string, name = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = /^\s*[[{]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`${name}: not valid JSON or YAML: ${(err as Error).message}`);
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) {
    throw new ScenarioError(`${name}: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) { throw new ScenarioError(`cannot read ${path}: ${(err as Error).message}`); }
  return parseScenario(text, path);
}
