// The markdown summary of one Node version's results.
import { checkTargets } from './targets.mjs';

const ROLES = [
  ['isolation', 'with async-isolation'],
  ['off', 'ASYNC_ISOLATION=off'],
  ['floor', "an empty async hook (Node's floor)"],
  ['reference', "runner's own detector"],
];

function cell(variant, tests) {
  if (variant === undefined) return '—';
  if (variant.error !== undefined) return 'failed';
  if (variant.ratioAtLeast !== undefined) {
    return `**> ${variant.ratioAtLeast}x** (stopped after ${variant.stoppedAfterMs / 1000} s)${variant.role === 'reference' ? ` ${variant.label.split(' ').slice(1).join(' ')}` : ''}`;
  }
  if (variant.ratio === undefined) return '—';
  let text = `**${variant.ratio.toFixed(2)}x**`;
  if (variant.cpuRatio !== undefined) text += ` (CPU ${variant.cpuRatio.toFixed(2)}x)`;
  if (variant.role === 'reference') text += ` ${variant.label.split(' ').slice(1).join(' ')}`;
  if (tests >= 1000 && variant.perTestUs !== undefined) {
    text += variant.perTestCpuUs === undefined ? `, ${variant.perTestUs} µs/test` : `, ${variant.perTestUs} µs/test (CPU ${variant.perTestCpuUs})`;
  }
  return text;
}

function suitesTable(result) {
  const lines = [
    `| workload | runner | runner alone (median) | ${ROLES.map(([, label]) => label).join(' | ')} |`,
    `|---|---|---:|${ROLES.map(() => '---').join('|')}|`,
  ];
  for (const suite of result.suites) {
    const base = suite.variants.find((v) => v.role === 'baseline');
    const baseText = base?.medianMs !== undefined ? `${(base.medianMs / 1000).toFixed(2)} s` : 'failed';
    const cells = ROLES.map(([role]) => cell(suite.variants.find((v) => v.role === role), suite.tests));
    lines.push(`| ${suite.workload} (${suite.tests} tests) | ${suite.runner} | ${baseText} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function microTable(micro) {
  const lines = [
    '| resource | ops | without (ms) | with (ms) | ratio | overhead per op |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of micro.hookCost) {
    lines.push(`| ${row.label} | ${row.ops} | ${row.plainMs} | ${row.isolationMs} | ${row.ratio.toFixed(2)}x | ${row.overheadUsPerOp} µs |`);
  }
  const t = micro.liveTimers;
  const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
  return [
    `- enter+exit of a clean scope: **${micro.scopeEnterExitUs.median} µs** median (${micro.scopeEnterExitUs.scopes} scopes)`,
    `- heap after ${micro.scopeMemory.scopes} finished scopes: ${Object.entries(micro.scopeMemory.heapBytes).map(([k, v]) => `${k}: ${mb(v)}`).join(', ')} → **${micro.scopeMemory.bytesPerScope} bytes retained per scope**`,
    `- ${t.isolation.timers} live timers in one scope: created in ${t.isolation.createMs} ms (without the library ${t.plain.createMs} ms), ` +
      `heap while live ${mb(t.isolation.heapLive)} (without ${mb(t.plain.heapLive)}), exit cancelled ${t.isolation.leaks} in ${t.isolation.exitMs} ms ` +
      `(report formatted in ${t.isolation.formatMs} ms), ${t.isolation.stillAlive} left alive, heap after exit ${mb(t.isolation.heapAfter)}`,
    '',
    'Hook cost per resource type (same loop, with and without the library, in separate processes):',
    '',
    ...lines,
  ].join('\n');
}

const signed = (ms) => (ms < 0 ? `${ms}` : `+${ms}`);

function startupTable(rows) {
  const lines = [
    'Start-up, one process on a file with one empty test (CPU time; the median of the paired differences, runner alone and with the entry alternated):',
    '',
    '| entry point | runner alone | with the entry | added | quartiles of added |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    if (row.error !== undefined) lines.push(`| ${row.label} | failed | | | |`);
    else lines.push(`| ${row.label} | ${row.plainCpuMs} ms | ${row.withCpuMs} ms | **${signed(row.addedCpuMs)} ms** | ${row.addedQuartilesMs[0]} .. ${row.addedQuartilesMs[1]} ms |`);
  }
  return lines.join('\n');
}

/** Markdown for one results object. */
export function toMarkdown(result) {
  const parts = [
    `### Node ${result.node} (${result.cpus} × ${result.cpuModel}, ${result.date.slice(0, 10)})`,
    '',
    `Medians of ${result.options.runs} runs per variant (after ${result.options.warmup} discarded; the runners' own detectors: ${result.options.referenceRuns ?? result.options.runs}), variants alternated, whole processes. ` +
      'Ratio = wall time ÷ the same runner alone; in parentheses the same for CPU time (user + system, all threads and child processes), which moves less on a busy machine.',
    '',
  ];
  if (result.suites.length > 0) parts.push(suitesTable(result), '');
  if (result.startup?.length > 0) parts.push(startupTable(result.startup), '');
  if (result.micro) parts.push(microTable(result.micro), '');
  const checks = checkTargets(result);
  if (checks.length > 0) {
    parts.push('| target | Node | measured | met |', '|---|---|---|---|');
    for (const c of checks) parts.push(`| ${c.target} | ${result.node} | ${c.measured} | ${c.met ? 'yes' : '**no**'} |`);
    parts.push('');
  }
  return parts.join('\n');
}
