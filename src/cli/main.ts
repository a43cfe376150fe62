#!/usr/bin/env node
/**
 * The `async-isolation` command: reads the JSON reports written at `ASYNC_ISOLATION_REPORT`.
 * Exit codes: 0 fine, 1 a test or suite failed because of leaks (`report`), 2 bad input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReportFile } from '../tracker/report-format';
import { formatGithub } from './format-github';
import { formatJson } from './format-json';
import { formatMarkdown } from './format-markdown';
import { formatText } from './format-text';
import { InputError } from './input-error';
import { mergeReports } from './merge';
import { readReport } from './read-report';

const USAGE = `usage: async-isolation report <report.json>... [--format text|github|markdown|json]
       async-isolation merge <report.json>... [-o <merged.json>]

  report   what the report says: totals, then each test or suite that leaked (several
           reports are merged first); exit code 1 when one failed because of leaks
           --format github    GitHub Actions annotations at each creation site
           --format markdown  a table for $GITHUB_STEP_SUMMARY
           --format json      the findings as JSON
  merge    merges the reports of CI shards or machines; -o writes it to a file, else to stdout`;

const FORMATS: Record<string, (report: ReportFile) => string> = {
  text: formatText,
  github: formatGithub,
  markdown: formatMarkdown,
  json: formatJson,
};

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new InputError((error as Error).message, true);
  }
}

function readAll(paths: string[], command: string): ReportFile {
  if (paths.length === 0) throw new InputError(`${command} needs at least one report file`, true);
  return mergeReports(paths.map(readReport));
}

function write(path: string, text: string): void {
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** Runs the command; returns its exit code. */
export function main(argv: string[]): number {
  const { values, positionals } = parse(argv);
  const [command, ...paths] = positionals;
  if (values.help || command === undefined) {
    (values.help ? process.stdout : process.stderr).write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  if (command === 'report') {
    if (values.output !== undefined) throw new InputError('-o is for merge; report prints to stdout', true);
    const format = FORMATS[values.format ?? 'text'];
    if (format === undefined) throw new InputError(`unknown --format "${values.format}": use text, github, markdown or json`, true);
    const report = readAll(paths, 'report');
    process.stdout.write(format(report));
    return report.entries.some((e) => e.failedByLeaks) ? 1 : 0;
  }
  if (command === 'merge') {
    if (values.format !== undefined) throw new InputError('--format is for report; merge writes a report file', true);
    const text = JSON.stringify(readAll(paths, 'merge'), null, 2) + '\n';
    if (values.output === undefined) process.stdout.write(text);
    else write(values.output, text);
    return 0;
  }
  throw new InputError(`unknown command "${command}": use report or merge`, true);
}

/**
 * A reader that stops early (`| head`) closes the pipe: the rest of the output is not wanted,
 * and the exit code stays the one the command chose.
 */
function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
}

if (require.main === module) {
  endQuietlyWhenStdoutCloses();
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    const known = error instanceof InputError;
    process.stderr.write(`async-isolation: ${known ? error.message : `internal error: ${String((error as Error)?.message ?? error)}`}\n`);
    if (known && error.usage) process.stderr.write(USAGE + '\n');
    process.exitCode = 2;
  }
}
