/**
 * The `$ids` our printer makes up where a binary has no name: a block without a label name is printed
 * `block $label<N>`, N the block's ordinal in its function (the order blocks open in, as the name
 * section's label subsection numbers them; see print/body-printer.ts). Such an id only makes the text
 * readable, so the assembler does not write it into the name section: a module compiled back from our
 * text has the names the original had, no more (docs/round-trip.md). A label name that happens to be
 * `label<N>` on block N is dropped the same way; it prints the same either way.
 */

export const GENERATED_LABEL_PREFIX = 'label';

/** Whether `name` (without its `$`) is the label id the printer makes up for the function's block `ordinal`. */
export function isGeneratedLabel(name: string, ordinal: number): boolean {
  const p = GENERATED_LABEL_PREFIX.length;
  return name.length > p && name.startsWith(GENERATED_LABEL_PREFIX) && name.slice(p) === String(ordinal);
}
