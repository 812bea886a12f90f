/**
 * The whole texts of WAT views that are being read in pages (`wasmWarden/watViewPage`): a function's
 * body or a component's nested module, printed once when its second page is asked for and kept until
 * its last page is sent. (The whole module's view is kept by the view cache instead.) At most a few
 * are kept, the least recently used going first, so a client that stops reading holds no memory for long.
 */
import { lineEndAfter } from './engine/operations/module-view';

/** How many paged texts are kept at once. */
export const MAX_PAGED_TEXTS = 4;

export class PagedTexts {
  private readonly texts = new Map<string, { version: string; text: string }>();

  constructor(private readonly max = MAX_PAGED_TEXTS) {}

  /** The kept text of `key` at `version`, if any (and marks it used). */
  get(key: string, version: string): string | undefined {
    const e = this.texts.get(key);
    if (!e || e.version !== version) return undefined;
    this.texts.delete(key);
    this.texts.set(key, e);
    return e.text;
  }

  set(key: string, version: string, text: string): void {
    this.texts.delete(key);
    this.texts.set(key, { version, text });
    for (const k of this.texts.keys()) {
      if (this.texts.size <= this.max) break;
      this.texts.delete(k);
    }
  }

  delete(key: string): void {
    this.texts.delete(key);
  }

  get size(): number {
    return this.texts.size;
  }
}

/** The page of `text` from `start` on: about `chars` characters, cut after a line end. */
export function pageOf(text: string, start: number, chars: number): { text: string; complete: boolean; totalChars: number } {
  const from = Math.min(Math.max(0, Math.floor(start)), text.length);
  const end = lineEndAfter(text, from + Math.max(1, Math.floor(chars)));
  return { text: text.slice(from, end), complete: end >= text.length, totalChars: text.length };
}
