/**
 * HTML building blocks for result panels. Pure functions (no `vscode` import) so they are unit-tested
 * for escaping: every string that comes from a module (names, custom sections, data) goes through
 * `esc`, and pages allow no inline script, only our nonce'd local script.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

export interface PageOptions {
  title: string;
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** URIs (as strings) of the shared stylesheet and script */
  styleUri: string;
  scriptUri: string;
  body: string;
}

export function page(o: PageOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(o.styleUri)}">
<title>${esc(o.title)}</title>
</head>
<body>
<main id="content" data-title="${esc(o.title)}">
${o.body}
</main>
<script nonce="${o.nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}

/** A table; cells are escaped unless given as `{ html }` (already built from escaped parts). */
export type Cell = string | number | undefined | { html: string };

export function table(headers: string[], rows: Cell[][], caption?: string): string {
  const cell = (c: Cell) => (typeof c === 'object' && c !== null ? c.html : esc(c ?? ''));
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function section(title: string, inner: string): string {
  return `<section><h2>${esc(title)}</h2>${inner}</section>`;
}

/** A link that opens a location in the editor (handled by the panel script, keyboard focusable). */
export function locationLink(label: string, uri: string, line?: number, character?: number, offset?: number): string {
  return `<a href="#" class="loc" data-uri="${esc(uri)}" data-line="${line ?? ''}" data-character="${character ?? ''}" data-offset="${offset ?? ''}">${esc(label)}</a>`;
}

export function badge(severity: string): string {
  const s = ['error', 'warning', 'info', 'ok'].includes(severity) ? severity : 'info';
  return `<span class="badge ${s}">${esc(severity)}</span>`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'unbounded';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Horizontal bar chart of sizes (pure CSS widths; no inline styles, classes by bucket). */
export function sizeChart(items: { name: string; size: number }[]): string {
  const total = items.reduce((a, b) => a + b.size, 0) || 1;
  return `<div class="chart" role="list">${items
    .map((i) => {
      const pct = Math.round((i.size / total) * 100);
      const bucket = Math.min(100, Math.max(0, Math.round(pct / 5) * 5));
      return `<div class="bar-row" role="listitem"><span class="bar-label">${esc(i.name)}</span><span class="bar w${bucket}"></span><span class="bar-value">${esc(formatBytes(i.size))} (${pct}%)</span></div>`;
    })
    .join('')}</div>`;
}
