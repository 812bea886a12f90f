/**
 * The limit on listed custom sections. A module may hold any number of custom sections (two bytes make
 * an empty one), so past MAX_LISTED_CUSTOM_SECTIONS they are tallied instead of listed: their count,
 * bytes, largest size and first distinct names (OmittedCustomSections), in constant memory. Real modules
 * have a few dozen at most (debug info, names, producers, linking and relocations).
 */
import type { CustomSection, OmittedCustomSections } from '../model';
import type { Span } from '../span';
import { hex } from './byte-reader';

/** Custom sections listed one by one in `model.customSections` and `model.sections`; later ones are counted. */
export const MAX_LISTED_CUSTOM_SECTIONS = 1000;

/** Distinct names of the counted custom sections kept (for the policy's custom-section rules). */
export const MAX_OMITTED_CUSTOM_NAMES = 100;

/** Adds a custom section past the listed ones to `omitted` (created on the first). */
export function tallyCustomSection(omitted: OmittedCustomSections | undefined, name: string, size: number, span: Span): OmittedCustomSections {
  if (!omitted) {
    const created = { count: 1, bytes: size, largest: size, names: [name], moreNames: false, span };
    namesOf.set(created, new Set([name]));
    return created;
  }
  omitted.count++;
  omitted.bytes += size;
  if (size > omitted.largest) omitted.largest = size;
  const names = namesOf.get(omitted);
  if (!omitted.moreNames && names && !names.has(name)) {
    if (omitted.names.length < MAX_OMITTED_CUSTOM_NAMES) {
      omitted.names.push(name);
      names.add(name);
    } else {
      omitted.moreNames = true;
    }
  }
  return omitted;
}

/** The names of each tally as a set (the tally itself stays plain data). */
const namesOf = new WeakMap<OmittedCustomSections, Set<string>>();

/** The finding on a module whose custom sections were partly counted rather than listed. */
export function omittedCustomSectionsMessage(listed: CustomSection[], omitted: OmittedCustomSections): string {
  const total = listed.length + omitted.count;
  const names = omitted.names.map((n) => JSON.stringify(n.length > 40 ? n.slice(0, 40) + '…' : n));
  return (
    `${total} custom sections: only the first ${listed.length} are listed (limit ${MAX_LISTED_CUSTOM_SECTIONS}); ` +
    `the other ${omitted.count} from ${hex(omitted.span.start)} on (${omitted.bytes} bytes in all, the largest ${omitted.largest} bytes; ` +
    `named ${names.slice(0, 5).join(', ')}${names.length > 5 || omitted.moreNames ? ', ...' : ''}) are counted, not listed`
  );
}
