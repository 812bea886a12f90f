/**
 * Guest-chosen text made safe to show: violation details hold paths the guest picked, import names come
 * from the module, and guest output can hold terminal escape sequences. Shown raw, a carriage return,
 * an ESC sequence or a bidi override can erase or reorder our own lines (e.g. print a fake "no
 * violations" over the real report).
 */

/** C0 and C1 controls, DEL, bidi embeddings/overrides/isolates/marks, line and paragraph separators */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escapeOne(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  const cp = ch.codePointAt(0)!;
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/**
 * One line of display text: every control character (newlines and tabs included), DEL, C1 control and
 * bidi control written as a visible escape (`\n`, `\x1b`, `\u{202e}`). Backslashes are left alone: the
 * result is for reading, not for parsing back.
 */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, escapeOne);
}

/** SGR sequences (colours, bold...): they cannot move the cursor or erase, and `ESC[0m` undoes them */
const SGR = /\u001b\[[0-9;:]{0,32}m/y;

/**
 * Guest output for a terminal: newlines, tabs and SGR colour sequences pass; every other control
 * character (carriage return, backspace, ESC sequences that move the cursor, erase or set the title,
 * C1 controls) and bidi controls are escaped, so output cannot overwrite or reorder lines already shown.
 */
export function terminalSafe(s: string): string {
  let out = '';
  let from = 0;
  UNSAFE.lastIndex = 0;
  for (let m = UNSAFE.exec(s); m; m = UNSAFE.exec(s)) {
    const ch = m[0];
    const at = m.index;
    if (ch === '\n' || ch === '\t') continue;
    if (ch === '\u001b') {
      SGR.lastIndex = at;
      if (SGR.test(s)) {
        UNSAFE.lastIndex = SGR.lastIndex;
        continue;
      }
    }
    out += s.slice(from, at) + escapeOne(ch);
    from = at + ch.length;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** JSON text (already escaped by JSON.stringify for U+0000-U+001F) with DEL, C1 and bidi controls escaped too: still valid JSON. */
export function jsonDisplaySafe(json: string): string {
  return json.replace(UNSAFE, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
