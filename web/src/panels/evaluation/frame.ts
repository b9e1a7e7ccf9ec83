/** The frame every evaluation panel shares: controls on top, a body drawn for the selection. */
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
      return;
    }
    empty.hidden = true;
    body.setAttribute('aria-busy', 'true');
    draw(body, sel, frame)
      .then(() => {
        if (mine === generation) {
          body.removeAttribute('aria-busy');
          body.dataset.drawn = String(mine);
        }
        ctx.clearError(name);
      })
      .catch((err: unknown) => ctx.reportError(err, name));
  };
  const controls = new EvalControls(ctx, api, run, `${name}-index`);
  const frame: Frame = { api, controls, body, redraw: () => run(controls.current()) };
  root.append(controls.el, empty, body);
  return {
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
