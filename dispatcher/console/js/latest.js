/**
 * Keeps only the answer to the latest question: a list asked for again (typing went on, a refresh)
 * must not be overwritten by the answer to an older question that arrives late.
 */
export class Latest {
  constructor() { this.asked = 0; }

  /** `ask()`'s answer as `{ value }` or `{ error }`; null when a newer question began meanwhile (drop it). */
  async run(ask) {
    const mine = ++this.asked;
    let out;
    try { out = { value: await ask() }; } catch (error) { out = { error }; }
    return mine === this.asked ? out : null;
  }
}
