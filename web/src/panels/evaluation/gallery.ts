/** A grid of example cards (image, true → predicted, probability, loss); a click opens the example. */
import { h } from '../../dom';
import type { EvalApi, Examples } from './api';
import { showExample } from './viewer';

export function gallery(api: EvalApi, data: Examples): HTMLElement {
  const names = data.class_names;
  const grid = h('div', { class: 'ev-gallery', 'data-testid': 'gallery' });
  for (const e of data.examples) {
    const wrong = e.target !== e.predicted;
    const img = data.has_inputs
      ? h('img', { class: 'ev-thumb', alt: `example ${e.id}`, src: api.thumbUrl(data.run, data.split, e.id) })
      : h('div', { class: 'ev-thumb ev-noimg' }, '—');
    const card = h(
      'button',
      {
        type: 'button', class: `ev-card${wrong ? ' is-wrong' : ''}`, 'data-testid': 'example-card',
        'data-id': e.id, 'data-target': e.target, 'data-predicted': e.predicted,
        title: `id ${e.id}: true ${names[e.target] ?? e.target}, predicted ${names[e.predicted] ?? e.predicted}`,
      },
      img,
      h('span', { class: 'ev-card-labels' }, h('span', {}, names[e.target] ?? String(e.target)), h('span', { class: 'muted' }, ' → '), h('span', { class: wrong ? 'ev-wrong' : '' }, names[e.predicted] ?? String(e.predicted))),
      h('span', { class: 'ev-card-nums mono' }, `p ${e.confidence.toFixed(2)} · loss ${e.loss.toFixed(2)}`),
    );
    card.addEventListener('click', () => {
      showExample(api, { run: data.run, split: data.split, id: e.id, target: e.target, predicted: e.predicted, confidence: e.confidence, loss: e.loss, classNames: names, hasInputs: data.has_inputs });
    });
    grid.append(card);
  }
  return grid;
}
