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

/**
 * A table cell: text (escaped), `{ html }` (already built from escaped parts), or `{ text, full }`: a
 * name shown on one line, cut with an ellipsis when the column is too narrow, the whole name on hover
 * (`{ html, title }` is cut the same way, with `title` on hover).
 */
export type Cell = string | number | undefined | { html: string; title?: string } | { text: string; full?: string; code?: boolean };

/**
 * A column: its header, and a class that sizes it (panel.css: `c-verdict`, `c-kind`, `c-narrow`,
 * `c-name`, `c-wide`). Tables are laid out fixed to the panel's width, so every column is on screen in a
 * half-width editor; long text wraps (`c-wide`) or is cut with the full text on hover (`{ text, full }`).
 */
export type Column = string | { label: string; cls?: string };

export function table(columns: Column[], rows: Cell[][], caption?: string): string {
  const cell = (c: Cell) => {
    if (typeof c === 'object' && c !== null) {
      if ('html' in c) return c.title ? `<td class="trunc" title="${esc(c.title)}">${c.html}</td>` : `<td>${c.html}</td>`;
      return `<td class="trunc" title="${esc(c.full ?? c.text)}">${c.code ? `<code>${esc(c.text)}</code>` : esc(c.text)}</td>`;
    }
    return `<td>${esc(c ?? '')}</td>`;
  };
  const head = columns.map((c) => (typeof c === 'string' ? `<th scope="col">${esc(c)}</th>` : `<th scope="col"${c.cls ? ` class="${esc(c.cls)}"` : ''}>${esc(c.label)}</th>`));
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head.join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A name in a code font, on one line, cut to the cell's width; the full name on hover. */
export function nameCell(name: string): Cell {
  return { text: name, code: true };
}

export function section(title: string, inner: string): string {
  return `<section><h2>${esc(title)}</h2>${inner}</section>`;
}

/** A link that opens a location in the editor (handled by the panel script, keyboard focusable). */
export function locationLink(label: string, uri: string, line?: number, character?: number, offset?: number): string {
  return `<a href="#" class="loc" data-uri="${esc(uri)}" data-line="${line ?? ''}" data-character="${character ?? ''}" data-offset="${offset ?? ''}">${esc(label)}</a>`;
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
