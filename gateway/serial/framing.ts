/** The registry of receiver framings, by the name used in ANXIN_SERIAL (`framing=`). */
import type { Framing } from './types.ts';
import { fdDf } from './fd-df.ts';
import { jsonLines } from './json-lines.ts';

export type { Framing, FrameParser, ParseResult, RfCode } from './types.ts';

const REGISTRY = new Map<string, Framing>([fdDf, jsonLines].map((f) => [f.name, f]));

export function framingNames(): string[] {
  return [...REGISTRY.keys()];
}

export function getFraming(name: string): Framing | undefined {
  return REGISTRY.get(name);
}

/** Adds a framing (for a new receiver model). Names must be unique. */
export function registerFraming(f: Framing): void {
  if (REGISTRY.has(f.name)) throw new Error(`framing ${f.name} is already registered`);
  REGISTRY.set(f.name, f);
}
