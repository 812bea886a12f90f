/**
 * Indentation strings, made once. Nesting deeper than MAX_INDENT_LEVELS is printed at that level:
 * wabt indents by depth, so its text grows with body size times depth (100,000 nested blocks would be
 * 10^10 spaces); ours stays linear in the body size.
 */
export const MAX_INDENT_LEVELS = 48;

const LEVELS: string[] = [];
for (let i = 0; i <= MAX_INDENT_LEVELS; i++) LEVELS.push('  '.repeat(i));

/** Two spaces per level, capped at MAX_INDENT_LEVELS. */
export function indent(level: number): string {
  return LEVELS[level < MAX_INDENT_LEVELS ? level : MAX_INDENT_LEVELS];
}
