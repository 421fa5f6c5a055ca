// Fixed-bin histograms for the per-minute metrics: bins never move, so minutes merge by adding counts, and a
// percentile is read off the merged counts (the upper bound of the bin it falls in; the largest value seen when it
// falls past the last bound). Bounds follow a 1-2-5 series, so a reported percentile is within 2.5x of the truth.

export interface Histogram {
  /** counts[i]: values <= bounds[i] (and > bounds[i-1]); counts[bounds.length]: values above every bound. */
  counts: number[];
  max: number;
}

function series125(from: number, to: number): number[] {
  const bounds: number[] = [];
  for (let decade = from; decade <= to; decade *= 10) for (const step of [1, 2, 5]) if (decade * step <= to) bounds.push(decade * step);
  return bounds;
}

/** Milliseconds: 0.1 ms to 50 s. */
export const DURATION_BOUNDS_MS: readonly number[] = series125(0.1, 50_000);
/** Fuel: 1,000 to 50 billion (above every fuel limit). */
export const FUEL_BOUNDS: readonly number[] = series125(1_000, 50_000_000_000);

export function emptyHistogram(bounds: readonly number[]): Histogram {
  return { counts: new Array<number>(bounds.length + 1).fill(0), max: 0 };
}

export function addValue(histogram: Histogram, bounds: readonly number[], value: number): void {
  let index = 0;
  while (index < bounds.length && value > bounds[index]!) index++;
  histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
  if (value > histogram.max) histogram.max = value;
}

export function mergeHistogram(into: Histogram, from: Histogram): void {
  for (let i = 0; i < from.counts.length; i++) into.counts[i] = (into.counts[i] ?? 0) + (from.counts[i] ?? 0);
  if (from.max > into.max) into.max = from.max;
}

/** The q-quantile (0 < q <= 1) as the upper bound of its bin, never above the largest value seen; 0 when empty. */
export function quantile(histogram: Histogram, bounds: readonly number[], q: number): number {
  const total = histogram.counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return 0;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    seen += histogram.counts[i]!;
    if (seen >= rank) return i < bounds.length ? Math.min(bounds[i]!, histogram.max) : histogram.max;
  }
  return histogram.max;
}
