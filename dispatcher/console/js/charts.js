/**
 * Small inline-SVG charts, no library: horizontal bars for shares (0..1) and paired bars for
 * times (median and 90th percentile). Drawn at the pixel width they get (fitted()), so the
 * text stays readable on a phone instead of shrinking with the picture. Labels are passed in as { text, i18n?, data? } so the
 * language check can tell translated labels from data such as grid names.
 */
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, val] of Object.entries(attrs)) if (val !== undefined && val !== null) el.setAttribute(k, String(val));
  if (text !== undefined) el.textContent = text;
  return el;
}

function label(x, y, lab, attrs = {}) {
  const el = s('text', { x, y, ...attrs }, lab.text);
  if (lab.i18n) el.dataset.i18n = lab.i18n;
  else el.dataset.v = '';
  return el;
}


/**
 * Horizontal bars for shares. rows: [{ label, value: 0..1|null, text }]; `title` labels the chart.
 * Shares under `goodAt` are drawn in the warning colour (for rates where higher is better).
 */
export function shareBars(rows, { title, goodAt = null, invert = false, width: W = 400, valueW = 80 } = {}) {
  const rowH = 46;
  const top = 6;
  const height = top + rows.length * rowH + 4;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', width: W, height });
  if (title) svg.append(s('title', {}, title));
  const barW = W - valueW;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    svg.append(label(0, y + 14, r.label, { class: 'c-label' }));
    svg.append(s('rect', { x: 0, y: y + 20, width: barW, height: 18, rx: 3, class: 'c-track' }));
    if (r.value !== null && r.value !== undefined) {
      const bad = goodAt !== null && (invert ? r.value > goodAt : r.value < goodAt);
      svg.append(s('rect', { x: 0, y: y + 20, width: Math.max(2, Math.min(1, r.value) * barW), height: 18, rx: 3, class: bad ? 'c-bar warn' : 'c-bar' }));
    }
    svg.append(s('text', { x: W, y: y + 35, 'text-anchor': 'end', class: 'c-value' }, r.text));
  });
  return svg;
}

/**
 * Paired bars for durations in seconds. groups: [{ label, a: sec|null, b: sec|null, aText, bText }];
 * legend: [{text,i18n}, {text,i18n}] for a (median) and b (90th percentile).
 */
export function pairBars(groups, legend, { title, width: W = 400 } = {}) {
  const groupH = 70;
  const top = 30;
  const height = top + groups.length * groupH;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', width: W, height });
  if (title) svg.append(s('title', {}, title));
  const max = Math.max(1, ...groups.flatMap((g) => [g.a ?? 0, g.b ?? 0]));
  const barW = W - 120;
  svg.append(s('rect', { x: 0, y: 6, width: 14, height: 14, class: 'c-bar' }), label(20, 18, legend[0], { class: 'c-legend' }));
  const half = Math.round(W / 2);
  svg.append(s('rect', { x: half, y: 6, width: 14, height: 14, class: 'c-bar p90' }), label(half + 20, 18, legend[1], { class: 'c-legend' }));
  groups.forEach((g, i) => {
    const y = top + i * groupH;
    svg.append(label(0, y + 14, g.label, { class: 'c-label' }));
    const bar = (val, text, dy, cls) => {
      svg.append(s('rect', { x: 0, y: y + dy, width: barW, height: 16, rx: 3, class: 'c-track' }));
      if (val !== null && val !== undefined) svg.append(s('rect', { x: 0, y: y + dy, width: Math.max(2, (val / max) * barW), height: 16, rx: 3, class: `c-bar ${cls}` }));
      svg.append(s('text', { x: W, y: y + dy + 13, 'text-anchor': 'end', class: 'c-value' }, text));
    };
    bar(g.a, g.aText, 20, '');
    bar(g.b, g.bText, 40, 'p90');
  });
  return svg;
}

/** A box that draws `build(width)` at its own width, and redraws when that width changes. */
export function fitted(build, { min = 240, max = 560 } = {}) {
  const box = document.createElement('div');
  box.className = 'fit';
  let last = 0;
  const draw = () => {
    const w = Math.round(Math.min(max, Math.max(min, box.clientWidth || min)));
    if (Math.abs(w - last) < 8) return;
    last = w;
    box.replaceChildren(build(w));
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(draw).observe(box);
  else setTimeout(draw, 0);
  return box;
}
