/** Latency distributions: exact percentiles over the recorded samples, and log-spaced histogram bins. Pure. */

export interface Distribution {
  n: number; min: number; mean: number; p50: number; p90: number; p99: number; max: number;
  /** Log-spaced bins: upper edge in ms and count. */
  bins: { le: number; count: number }[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const EDGES = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 20000, 30000, 60000, 120000, Infinity];

export function distribution(samples: number[]): Distribution {
  const s = Float64Array.from(samples).sort();
  const arr = Array.from(s);
  const bins = EDGES.map((le) => ({ le, count: 0 }));
  let j = 0;
  for (const v of arr) {
    while (v > EDGES[j]) j++;
    bins[j].count++;
  }
  const sum = arr.reduce((a, b) => a + b, 0);
  const first = bins.findIndex((b) => b.count > 0);
  let last = bins.length - 1;
  while (last > 0 && bins[last].count === 0) last--;
  return {
    n: arr.length,
    min: arr[0] ?? NaN,
    mean: arr.length ? sum / arr.length : NaN,
    p50: percentile(arr, 50), p90: percentile(arr, 90), p99: percentile(arr, 99),
    max: arr[arr.length - 1] ?? NaN,
    bins: first < 0 ? [] : bins.slice(first, last + 1),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtMs = (v: number): string => (!Number.isFinite(v) ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
