/** Grouping and filtering of scalar tags. Pure. */

export const OTHER_GROUP = 'other';

/** "train/loss" → "train"; a tag without a slash belongs to "other". */
export function tagGroup(tag: string): string {
  const i = tag.indexOf('/');
  return i > 0 ? tag.slice(0, i) : OTHER_GROUP;
}

const natural = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });

export interface TagGroup {
  name: string;
  tags: string[];
}

/** Groups in natural order with "other" last; tags in natural order inside each group. */
export function groupTags(tags: Iterable<string>): TagGroup[] {
  const groups = new Map<string, string[]>();
  for (const tag of tags) {
    const g = tagGroup(tag);
    const list = groups.get(g);
    if (list) list.push(tag);
    else groups.set(g, [tag]);
  }
  return [...groups]
    .sort(([a], [b]) => (a === OTHER_GROUP ? 1 : b === OTHER_GROUP ? -1 : natural(a, b)))
    .map(([name, list]) => ({ name, tags: [...new Set(list)].sort(natural) }));
}

export interface TagMatcher {
  test(tag: string): boolean;
  /** True when the filter is not a valid regular expression and is matched as plain text. */
  literal: boolean;
}

/** A case-insensitive regular expression, or a substring when the text is not a valid one. */
export function tagMatcher(filter: string): TagMatcher {
  const f = filter.trim();
  if (!f) return { test: () => true, literal: false };
  try {
    const re = new RegExp(f, 'i');
    return { test: (tag) => re.test(tag), literal: false };
  } catch {
    const needle = f.toLowerCase();
    return { test: (tag) => tag.toLowerCase().includes(needle), literal: true };
  }
}
