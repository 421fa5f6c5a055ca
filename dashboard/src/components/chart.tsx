// A time-series chart drawn by uPlot (canvas). uPlot sizes itself through CSSOM (element.style), which the CSP's
// style-src allows; no inline style attributes. The chart is an image to assistive technology, with a text summary.

import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const COLOURS = ["#0b57d0", "#c2410c", "#1a7f37", "#8250df", "#a4161a", "#0f766e"];

export function Chart({ title, times, series, unit }: { title: string; times: number[]; series: ChartSeries[]; unit: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const width = Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 200,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${formatNumber(t)}${unit}`), size: 64 }],
        scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
        legend: { live: false },
      },
      [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, unit]);
  const summary = series.map((s) => `${s.label}: max ${formatNumber(Math.max(0, ...s.values.map((v) => v ?? 0)))}${unit}`).join("; ");
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}. ${summary || "no data"}`} />
    </figure>
  );
}

function formatNumber(n: number): string {
  return Math.abs(n) >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : Math.abs(n) >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n * 100) / 100);
}
