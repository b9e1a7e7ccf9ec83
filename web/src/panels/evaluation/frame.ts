/**
 * The frame every evaluation panel shares: controls on top, a body drawn for the selection.
 * The body's `data-state` is `loading` while a draw is pending, then `ready` (with `data-runs`, the
 * runs shown), `empty` or `error`; `aria-busy` is set while loading.
 */
import { h, setText } from '../../dom';
import type { PanelContext, PanelHandle } from '../../panel';
import { EvalApi } from './api';
import { EvalControls, NO_PREDICTIONS, type Reveal, type Selection } from './controls';
import './style.css';

export interface Frame {
  api: EvalApi;
  controls: EvalControls;
  body: HTMLElement;
  /** Redraws with the current selection. */
  redraw(): void;
}

/** Fills `body`, a detached element whose children replace the shown ones once the draw is done. */
export type Draw = (body: HTMLElement, sel: Selection, frame: Frame) => Promise<void>;

export function mountEval(root: HTMLElement, ctx: PanelContext, name: string, draw: Draw, onReveal?: (detail: Record<string, unknown>, frame: Frame) => void): PanelHandle {
  const api = new EvalApi(ctx.api);
  const empty = h('div', { class: 'empty', 'data-testid': `${name}-empty` }, 'Loading…');
  const body = h('div', { class: 'eval-body', 'data-testid': `${name}-body` });
  let generation = 0;
  const run = (sel: Selection | null): void => {
    const mine = ++generation;
    if (!sel) {
      setText(empty, NO_PREDICTIONS);
      empty.hidden = false;
      body.replaceChildren();
      body.removeAttribute('aria-busy');
      body.dataset.state = 'empty';
      return;
    }
    empty.hidden = true;
    body.setAttribute('aria-busy', 'true');
    body.dataset.state = 'loading';
    // Each draw fills a detached element, shown only if no newer draw started meanwhile: the
    // answers of two draws (a run change, a linked view's reveal) can arrive in either order,
    // and a late one must not replace the newer view.
    const next = h('div', { class: 'eval-body' });
    draw(next, sel, frame)
      .then(() => {
        if (mine !== generation) return;
        body.className = next.className;
        body.replaceChildren(...next.childNodes);
        body.removeAttribute('aria-busy');
        body.dataset.drawn = String(mine);
        body.dataset.runs = sel.runs.map((r) => r.id).join(',');
        body.dataset.state = 'ready';
        ctx.clearError(name);
      })
      .catch((err: unknown) => {
        if (mine !== generation) return;
        body.removeAttribute('aria-busy');
        body.dataset.state = 'error';
        ctx.reportError(err, name);
      });
  };
  const controls = new EvalControls(ctx, api, run, `${name}-index`);
  const frame: Frame = { api, controls, body, redraw: () => run(controls.current()) };
  root.append(controls.el, empty, body);
  return {
    update: (change) => {
      if (change.changed.has('runs') || change.changed.has('colors')) controls.runsChanged();
    },
    destroy: () => controls.destroy(),
    reveal: (detail: unknown) => {
      const d = (detail ?? {}) as Record<string, unknown>;
      const r: Reveal = {};
      if (typeof d.run === 'string') r.run = d.run;
      if (typeof d.split === 'string') r.split = d.split;
      if (typeof d.step === 'number' || d.step === null) r.step = d.step as number | null;
      onReveal?.(d, frame);
      controls.set(r);
      frame.redraw();
    },
  };
}
