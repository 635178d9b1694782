import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeXml } from './svg.ts';

/** The report pages' shared look: type, headings, the facts list, tables, chart rows. */
const BASE_CSS = `body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:24px auto;max-width:1240px;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dt{color:#666}dd{margin:0}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}svg{max-width:100%;height:auto}`;

/**
 * A self-contained report page (inline CSS, no script, nothing fetched): its title as the
 * heading, then the run's facts as a list, then `body`. `css` adds the page's own rules.
 */
export function reportPage(title: string, facts: [string, string][], body: string, css = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
${BASE_CSS}
${css}
</style></head><body>
<h1>${escapeXml(title)}</h1>
<dl>${facts.map(([name, value]) => `<dt>${escapeXml(name)}</dt><dd>${escapeXml(value)}</dd>`).join('')}</dl>
${body}
</body></html>
`;
}

/** Writes a run's `--json` and `--html` files where asked (folders made), telling `log` each one. */
export async function writeReportFiles(
  files: { json?: string; html?: string },
  report: object,
  renderHtml: () => string,
  log: (line: string) => void,
): Promise<void> {
  for (const [file, content] of [
    [files.json, () => `${JSON.stringify(report, null, 2)}\n`],
    [files.html, renderHtml],
  ] as const) {
    if (!file) continue;
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, content());
    log(`wrote ${file}`);
  }
}
