// A hand-written SVG bar chart of the suite ratios, one panel per Node version measured.
import { ratioTarget } from './targets.mjs';

const WIDTH = 820;
const LABEL_W = 190;
const PLOT_W = WIDTH - LABEL_W - 90;
const BAR_H = 9;
const ROW_GAP = 8;
const MAX_AXIS = 8;
const COLORS = { isolation: '#2563eb', reference: '#9ca3af' };

function esc(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function rowsOf(result) {
  return result.suites.map((suite) => ({
    label: `${suite.workload} · ${suite.runner}`,
    bars: ['isolation', 'reference']
      .map((role) => suite.variants.find((v) => v.role === role && (v.ratio !== undefined || v.ratioAtLeast !== undefined)))
      .filter(Boolean)
      .map((v) => ({
        role: v.role,
        ratio: v.ratio ?? v.ratioAtLeast,
        atLeast: v.ratio === undefined,
        label: v.role === 'isolation' ? 'async-isolation' : v.label,
      })),
  }));
}

/** The SVG text for a list of results objects (one per Node version). */
export function toSvg(results) {
  const panels = results.map((r) => ({ result: r, rows: rowsOf(r) })).filter((p) => p.rows.length > 0);
  const maxRatio = Math.max(2, ...panels.flatMap((p) => p.rows.flatMap((row) => row.bars.map((b) => b.ratio))));
  // The axis stops at MAX_AXIS: a detector 100 times slower would flatten every other bar.
  const top = Math.min(MAX_AXIS, Math.ceil(maxRatio));
  // Bars start at 1x: their length is the slowdown.
  const x = (ratio) => LABEL_W + ((Math.min(Math.max(ratio, 1), top) - 1) / (top - 1)) * PLOT_W;
  const out = [];
  let y = 68;
  for (const { result, rows } of panels) {
    const target = ratioTarget(result.nodeMajor);
    const panelTop = y;
    out.push(`<text x="12" y="${y}" class="h">Node ${esc(result.node)}</text>`);
    y += 12;
    const plotTop = y;
    for (const row of rows) {
      const rowH = Math.max(1, row.bars.length) * (BAR_H + 2);
      out.push(`<text x="${LABEL_W - 8}" y="${y + rowH / 2 + 4}" class="l" text-anchor="end">${esc(row.label)}</text>`);
      for (const bar of row.bars) {
        const w = Math.max(1, x(bar.ratio) - LABEL_W);
        out.push(
          `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[bar.role]}"><title>${esc(`${bar.label}: ${bar.ratio}x`)}</title></rect>`,
          `<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + BAR_H - 1}" class="v">${bar.atLeast || bar.ratio > top ? '&gt; ' : ''}${bar.ratio.toFixed(bar.atLeast ? 0 : 2)}x</text>`,
        );
        y += BAR_H + 2;
      }
      if (row.bars.length === 0) y += BAR_H + 2;
      y += ROW_GAP;
    }
    const tx = x(target).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${plotTop - 4}" x2="${tx}" y2="${y - ROW_GAP + 2}" class="t"/>`,
      `<text x="${(Number(tx) + 4).toFixed(1)}" y="${panelTop}" class="v">target ${target}x</text>`,
    );
    y += 24;
  }
  const axisY = y - 14;
  out.push(`<line x1="${LABEL_W}" y1="56" x2="${LABEL_W}" y2="${axisY}" class="a"/>`);
  for (let r = 1; r <= top; r++) {
    out.push(`<text x="${x(r).toFixed(1)}" y="${axisY + 12}" class="v" text-anchor="middle">${r}x</text>`);
  }
  const height = axisY + 24;
  const legend = [
    `<rect x="12" y="31" width="10" height="10" fill="${COLORS.isolation}"/><text x="26" y="40" class="l">with async-isolation</text>`,
    `<rect x="150" y="31" width="10" height="10" fill="${COLORS.reference}"/><text x="164" y="40" class="l">the runner's own detector: jest --detectOpenHandles / vitest --detectAsyncLeaks</text>`,
    `<line x1="660" y1="36" x2="680" y2="36" class="t"/><text x="684" y="40" class="l">target</text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">`,
    '<style>.h{font-size:13px;font-weight:600}.l{font-size:11px}.v{font-size:10px;fill:#374151}.t{stroke:#dc2626;stroke-dasharray:4 3}.a{stroke:#6b7280}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" class="h">Whole-suite time ÷ the same runner alone (lower is better)</text>`,
    ...legend,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
