/**
 * `npx tsx bench/household-import-cost.ts [ROWS] [--devices] [--again]`: a street office's households imported from one
 * spreadsheet (POST /api/households/import, default 10,000 rows: a resident and two contacts each,
 * over the demo's two grids; with `--devices`, each row also registers its call button) while a device presses every 20 ms. Sent from a worker thread; prints
 * the request's time, the hub's longest event-loop pause meanwhile, and the presses' commit times
 * (what their acks wait for). The hub runs in this process. With `--again`, the same sheet is then
 * sent back twice as a supervisor would: unchanged (every row compared with its record, nothing
 * written), and with every tenth row's phone corrected (those records updated).
 */
import { rmSync } from 'node:fs';
import { commitLine, importWhilePressing, massEventHub } from './mass-seed.ts';

const ROWS = Number(process.argv.slice(2).find((a) => /^[0-9]+$/.test(a)) ?? 10_000);
const DEVICES = process.argv.includes('--devices');
const AGAIN = process.argv.includes('--again');
const { hub, dir, token } = await massEventHub(0, Date.now());
const grids = ['第一网格', '第二网格'];
const csv = [`网格,地址,老人姓名,年龄,老人电话,健康情况,联系人,关系,联系人电话,联系人2,关系2,联系人2电话${DEVICES ? ',按钮编号' : ''}`,
  ...Array.from({ length: ROWS }, (_, i) => `${grids[i % 2]},导入小区${Math.floor(i / 40) + 1}号楼${(i % 40) + 101}室,住户${i},${65 + (i % 30)},13900${String(i).padStart(6, '0')},高血压,家属${i},子女,13700${String(i).padStart(6, '0')},邻居${i},邻居,13600${String(i).padStart(6, '0')}${DEVICES ? `,imp-${i}` : ''}`)].join('\r\n');

const before = hub.store.households.count();
const { answer: r, pauseMs, commits } = await importWhilePressing(hub, '/api/households/import', token, csv);
console.log(`${ROWS} rows, ${(csv.length / 1e6).toFixed(2)} MB of text (${(Buffer.byteLength(csv) / 1e6).toFixed(2)} MB UTF-8): ${r.created} households${DEVICES ? ` and ${r.devices} buttons` : ''} in ${r.ms.toFixed(0)} ms (${hub.store.households.count() - before} in the store)`);
console.log(`the hub's longest event-loop pause during the import: ${pauseMs.toFixed(1)} ms`);
console.log(`presses every 20 ms meanwhile: ${commitLine(commits)}`);
if (AGAIN) {
  const corrected = csv.split('\r\n').map((l, i) => (i > 0 && i % 10 === 0 ? l.replace(/,13900([0-9]{6}),/, ',13911$1,') : l)).join('\r\n');
  for (const [what, sheet] of [['sent back unchanged', csv], ['every tenth phone corrected', corrected]] as const) {
    const again = await importWhilePressing(hub, '/api/households/import', token, sheet);
    console.log(`${what}: ${again.answer.created} added, ${again.answer.updated} updated, ${again.answer.unchanged} unchanged in ${again.answer.ms.toFixed(0)} ms; longest pause ${again.pauseMs.toFixed(1)} ms; presses ${commitLine(again.commits)}`);
  }
}
const cp = (hub.health() as { walCheckpoints?: { handovers: number; longestHoldMs: number; holdsTimedOut: number } | null }).walCheckpoints;
if (cp) console.log(`WAL checkpoints: ${cp.handovers} handovers, longest hold of device events ${cp.longestHoldMs} ms, ${cp.holdsTimedOut} ran out`);
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
