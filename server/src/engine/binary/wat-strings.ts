/**
 * Spelling module-supplied strings safely in WAT text: string literals, `$ids` and comments.
 * Names in a binary can hold anything (quotes, newlines, `<script>`, bidi controls); these
 * functions keep every such character escaped so the view's structure cannot be broken.
 */

const HEX = '0123456789abcdef';

function escapeCodePoint(cp: number): string {
  switch (cp) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\' + HEX[cp >> 4] + HEX[cp & 15];
  if (cp < 0x7f) return String.fromCharCode(cp);
  return `\\u{${cp.toString(16)}}`;
}

/** The body of a WAT string literal (without the quotes) for a JavaScript string; non-ASCII as `\u{..}`. */
export function escapeWatStringBody(s: string): string {
  let out = '';
  for (const ch of s) out += escapeCodePoint(ch.codePointAt(0)!);
  return out;
}

/** A WAT string literal: `"..."`. */
export function watString(s: string): string {
  return `"${escapeWatStringBody(s)}"`;
}

/** Raw bytes as the body of a WAT string literal: printable ASCII as is, `\"`, `\\`, `\t`, `\n`, `\r`, else `\hh`. */
export function escapeWatBytes(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += BYTE_ESCAPES[bytes[i]];
  return out;
}

const BYTE_ESCAPES: string[] = Array.from({ length: 256 }, (_, b) => (b < 0x80 ? escapeCodePoint(b) : '\\' + HEX[b >> 4] + HEX[b & 15]));

const ID_CHAR = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;

/** A WAT identifier for a name: `$name`, or `$"..."` when the name has characters ids cannot hold. */
export function watId(name: string): string {
  return ID_CHAR.test(name) ? `$${name}` : `$${watString(name)}`;
}

/** An `id` from the model (`$` + raw name) in safe WAT spelling. */
export function watIdFromModel(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return watId(id.startsWith('$') ? id.slice(1) : id);
}

/** Text safe to put after `;;` on one line: control characters and non-ASCII escaped. */
export function commentText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && cp < 0x7f ? ch : escapeCodePoint(cp);
  }
  return out;
}
