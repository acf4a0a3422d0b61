/** `medbill report`: the claims report (A/R aging, denials, paid rate, days to pay) as text or CSV, and the aging chart. */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { renderRepliesText } from '../../reply-text.js';
import { positionals, takeFlag, takeOption, UsageError } from '../../command-line.js';
import { systemClock, todayIn } from '../../today.js';
import type { Command } from './command.js';

export const reportCommand: Command = {
  name: 'report',
  usage: [
    'medbill report                   claims report: A/R aging by payer, denials, paid rate and days to pay',
    'medbill report --csv             the same tables as CSV sections',
    'medbill report --chart FILE      also draw the A/R aging chart to FILE.png or FILE.svg',
  ],
  help: `Usage: medbill report [--csv] [--chart FILE.png|FILE.svg]
  The claims report as of today (MEDBILL_TIME_ZONE): A/R aging by payer, the claims not submitted yet against
  their timely-filing limits, denials by reason this month and over the last 12 months, paid rate and days to
  pay by payer, procedure kind and code, and what was recovered this month.
    --csv          the tables as CSV sections (a title line, a header, the rows, a blank line)
    --chart FILE   also draw the A/R aging chart: PNG or SVG by the file's extension`,
  async run(args, io) {
    const chartOption = takeOption(args, '--chart');
    const { on: csv, rest } = takeFlag(chartOption.rest, '--csv');
    const stray = positionals('report', rest);
    if (stray.length) throw new UsageError(`report: unexpected ${stray[0]} (medbill report --help)`);
    if (chartOption.values.length > 1) throw new UsageError('--chart is given more than once');
    const chartFile = chartOption.values[0];
    const format = chartFile === undefined ? undefined : /\.png$/i.test(chartFile) ? 'png' : /\.svg$/i.test(chartFile) ? 'svg' : undefined;
    if (chartFile !== undefined && !format) throw new UsageError(`--chart ${chartFile}: the file must end in .png or .svg`);
    const { buildReport, categoryNames, drawAging, reportReplies } = await import('../../reports/claims-report.js');
    const { openBackOffice } = await import('../back-office.js');
    const config = loadConfig();
    const office = openBackOffice(config, { existing: true });
    try {
      await office.loadSettings(); // the practice's zone and claim policy
      const zone = office.zoneOr(config.zone);
      const report = await buildReport(office.reports, todayIn(zone, io.clock ?? systemClock), zone, categoryNames(office.shelf.knowledge()), office.claims.kn.policy);
      if (csv) {
        const { reportCsv } = await import('../../reports/claims-report.js');
        io.out(reportCsv(report).join('\n'));
      } else {
        io.out(renderRepliesText(reportReplies(report)));
      }
      if (chartFile && format) {
        if (!report.aging.length) {
          io.err('No submitted claims outstanding (claims not submitted are not aged): there is no aging chart to draw, so no file was written.');
        } else {
          const chart = await drawAging(report);
          writeFileSync(chartFile, format === 'png' ? chart.png : chart.svg);
          io.err(`A/R aging chart written to ${chartFile}.`);
        }
      }
      return 0;
    } finally {
      await office.close();
    }
  },
};
