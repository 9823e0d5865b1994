/** Renders a drill Report as text, and as a self-contained HTML page with inline SVG charts (and a scenario's expectations). */
import type { Report } from './tracker.ts';
import type { Check } from './scenario.ts';
import { fmtMs, type Distribution } from './stats.ts';

const LAT: [keyof Report['latency'], string][] = [
  ['pressToAck', 'press → ack at the device'],
  ['pressToConsole', 'press → alert on a console'],
  ['pressToHelpComing', 'press → help_coming at the device'],
];

function distLine(d: Distribution): string {
  if (!d.n) return 'no samples';
  return `n=${d.n}  min ${fmtMs(d.min)}  p50 ${fmtMs(d.p50)}  p90 ${fmtMs(d.p90)}  p99 ${fmtMs(d.p99)}  max ${fmtMs(d.max)} ms`;
}

export function reportText(r: Report): string {
  const c = r.counts;
  const lines = [
    `Drill report (${r.startedAt}, ${r.durationS.toFixed(1)} s)`,
    `  devices ${c.devices}, connected at end ${c.connected}, reconnects ${c.reconnects}`,
    `  events sent ${c.sent} (presses ${c.presses}, cancels ${c.cancels}, tests ${c.tests}), acked ${c.acked}, re-sends ${c.resends}`,
    `  alerts seen on a console ${c.alertsSeen}, help_coming heard ${c.helpComing}, connection errors ${c.errors}${c.errors ? ' (failed connects and dropped links; while a hub is down every device fails several times)' : ''}`,
    `Losses`,
    `  events never acked: ${r.losses.neverAcked}${r.losses.neverAckedIds.length ? ` (${r.losses.neverAckedIds.join(', ')})` : ''}`,
    `  acked calls never seen on a console: ${r.losses.neverOnConsole}${r.losses.neverOnConsoleIds.length ? ` (${r.losses.neverOnConsoleIds.join(', ')})` : ''}`,
    `Latency`,
    ...LAT.map(([k, label]) => `  ${label.padEnd(36)} ${distLine(r.latency[k])}`),
  ];
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join('\n') + '\n';
}

const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** A histogram over the log-spaced bins, as inline SVG. */
export function histogramSvg(d: Distribution, title: string): string {
  const W = 640, H = 220, L = 44, B = 40, T = 24;
  if (!d.bins.length) return `<svg width="${W}" height="60" role="img"><text x="8" y="30">${esc(title)}: no samples</text></svg>`;
  const max = Math.max(...d.bins.map((b) => b.count));
  const bw = (W - L - 10) / d.bins.length;
  const bars = d.bins.map((b, i) => {
    const h = ((H - B - T) * b.count) / max;
    const x = L + i * bw;
    const label = Number.isFinite(b.le) ? `≤${b.le}` : '>';
    return `<rect x="${x + 1}" y="${H - B - h}" width="${bw - 2}" height="${h}" fill="#c0392b"><title>${label} ms: ${b.count}</title></rect>` +
      `<text x="${x + bw / 2}" y="${H - B + 14}" font-size="10" text-anchor="middle">${label}</text>`;
  }).join('');
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" font-family="sans-serif">` +
    `<text x="${L}" y="16" font-size="13" font-weight="bold">${esc(title)} (ms)</text>` +
    `<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#333"/><text x="4" y="${T + 10}" font-size="10">${max}</text>` +
    `${bars}<text x="${L}" y="${H - 6}" font-size="11">p50 ${fmtMs(d.p50)} · p90 ${fmtMs(d.p90)} · p99 ${fmtMs(d.p99)} · max ${fmtMs(d.max)} · n=${d.n}</text></svg>`;
}

/** A scenario's expectations as a table, failures first, with a heading that says how many held. */
function checksHtml(checks: readonly Check[]): string {
  const failed = checks.filter((x) => !x.ok).length;
  const rows = [...checks].sort((a, b) => Number(a.ok) - Number(b.ok))
    .map((x) => `<tr><td class="${x.ok ? 'good' : 'bad'}">${x.ok ? 'PASS' : 'FAIL'}</td><th>${esc(x.label)}</th><td>${esc(x.detail)}</td></tr>`).join('\n');
  const head = failed ? `${failed} of ${checks.length} expectations failed` : `all ${checks.length} expectations held`;
  return `<section><h2 class="${failed ? 'bad' : 'good'}">${head}</h2><table>${rows}</table></section>`;
}

export function reportHtml(r: Report, title = 'Anxin drill report', checks?: readonly Check[]): string {
  const c = r.counts;
  const row = (k: string, v: string | number) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`;
  const lossClass = r.losses.neverAcked + r.losses.neverOnConsole > 0 ? 'bad' : 'good';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222}th{text-align:left;padding-right:2em;font-weight:normal;color:#555}
.good{color:#1e7b34}.bad{color:#b00020}section{margin:1.5em 0}</style></head><body>
<h1>${esc(title)}</h1><p>${esc(r.startedAt)}, ${r.durationS.toFixed(1)} s</p>
${checks ? checksHtml(checks) : ''}
<section><h2>Counts</h2><table>${row('devices', c.devices)}${row('connected at end', c.connected)}${row('reconnects', c.reconnects)}
${row('events sent', c.sent)}${row('presses / cancels / tests', `${c.presses} / ${c.cancels} / ${c.tests}`)}${row('acked', c.acked)}${row('re-sends', c.resends)}
${row('alerts seen on a console', c.alertsSeen)}${row('help_coming heard', c.helpComing)}${row('connection errors (failed connects, dropped links)', c.errors)}</table></section>
<section><h2 class="${lossClass}">Losses: ${r.losses.neverAcked} never acked, ${r.losses.neverOnConsole} never on a console</h2></section>
<section><h2>Latency</h2>${LAT.map(([k, label]) => `<p>${histogramSvg(r.latency[k], label)}</p>`).join('\n')}</section>
${r.notes.length ? `<section><h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>` : ''}
</body></html>\n`;
}

export function progressLine(c: { connected: number; devices: number; sent: number; acked: number; alertsSeen: number; errors: number }, elapsedS: number): string {
  return `[${elapsedS.toFixed(0).padStart(4)} s] devices ${c.connected}/${c.devices}  sent ${c.sent}  acked ${c.acked}  alerts seen ${c.alertsSeen}  conn errors ${c.errors}`;
}
