/**
 * DOM building. User data (run names, tags, config values) only ever becomes text nodes:
 * nothing here parses HTML, so a run named `<img onerror=…>` stays a string.
 */

type Child = Node | string | null | undefined | false;

export interface Attrs {
  [name: string]: string | number | boolean | null | undefined;
}

/** Creates `<tag>` with attributes (`class`, `data-*`, aria, …) and children; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    // Through the CSSOM: the page's Content-Security-Policy allows no inline `style` attributes.
    if (name === 'style') el.style.cssText = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Sets an element's text only when it differs, so live updates do not disturb selection or layout. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A small inline icon from fixed path data (never user data). */
export function icon(paths: readonly string[], size = 16): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  for (const d of paths) {
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', d);
    svg.appendChild(p);
  }
  return svg;
}

export const ICONS = {
  sun: ['M12 4V2M12 22v-2M4 12H2M22 12h-2M5.6 5.6 4.2 4.2M19.8 19.8l-1.4-1.4M5.6 18.4l-1.4 1.4M19.8 4.2l-1.4 1.4', 'M12 7a5 5 0 1 0 0 10a5 5 0 1 0 0-10z'],
  moon: ['M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z'],
  chevron: ['M6 9l6 6 6-6'],
  reset: ['M4 12a8 8 0 1 0 2.3-5.7M4 4v4h4'],
  search: ['M11 4a7 7 0 1 0 0 14a7 7 0 1 0 0-14zM20 20l-4-4'],
} as const;

/**
 * Roving focus over `items`, the WAI-ARIA pattern for a composite widget (a list of chart points):
 * one tab stop, the arrow keys move to the previous or next item, Home and End to the ends, and
 * Enter or Space click the focused one. Example: `rovingFocus(group, [...group.children])`.
 */
export function rovingFocus(container: Element, items: readonly (HTMLElement | SVGElement)[]): void {
  items.forEach((item, i) => item.setAttribute('tabindex', i === 0 ? '0' : '-1'));
  container.addEventListener('keydown', (event) => {
    const ev = event as KeyboardEvent;
    const at = items.indexOf(ev.target as HTMLElement | SVGElement);
    if (at < 0) return;
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 };
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      items[at]!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      return;
    }
    const next = items[Math.min(items.length - 1, Math.max(0, moves[ev.key] ?? -1))];
    if (moves[ev.key] === undefined || !next) return;
    ev.preventDefault();
    for (const item of items) item.setAttribute('tabindex', item === next ? '0' : '-1');
    next.focus();
  });
}
