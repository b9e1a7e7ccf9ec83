/** Tiny SVG builder for the evaluation charts (attributes from numbers and fixed strings only). */
const NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/** Axes of a unit-square chart: frame, grid at 0.25 steps, tick labels, axis titles. */
export function axes(w: number, h: number, xLabel: string, yLabel: string): SVGGElement {
  const g = s('g', { class: 'ev-axes' });
  for (let i = 0; i <= 4; i++) {
    const t = i / 4;
    g.append(
      s('line', { x1: t * w, x2: t * w, y1: 0, y2: h, class: 'ev-grid' }),
      s('line', { x1: 0, x2: w, y1: h - t * h, y2: h - t * h, class: 'ev-grid' }),
      s('text', { x: t * w, y: h + 14, 'text-anchor': 'middle', class: 'ev-tick' }, t.toFixed(2).replace(/0$/, '')),
      s('text', { x: -6, y: h - t * h + 3, 'text-anchor': 'end', class: 'ev-tick' }, t.toFixed(2).replace(/0$/, '')),
    );
  }
  g.append(
    s('rect', { x: 0, y: 0, width: w, height: h, class: 'ev-frame' }),
    s('text', { x: w / 2, y: h + 30, 'text-anchor': 'middle', class: 'ev-label' }, xLabel),
    s('text', { x: -h / 2, y: -32, transform: 'rotate(-90)', 'text-anchor': 'middle', class: 'ev-label' }, yLabel),
  );
  return g;
}

export const CLASS_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#79706e'];
