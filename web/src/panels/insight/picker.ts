/**
 * The run (and model) picker of the model-insight panels: one of the selected runs, following
 * the table's selection, plus the models that run logged or watched.
 */
import type { PanelHandle } from '../../panel';
import { h } from '../../dom';
import type { PanelContext } from '../../panel';

export class RunPicker {
  readonly el: HTMLElement;
  readonly runSel: HTMLSelectElement;
  readonly modelSel: HTMLSelectElement;
  private runIds: string[] = [];

  constructor(private readonly ctx: PanelContext, onChange: () => void, testid: string) {
    this.runSel = h('select', { class: 'select', 'aria-label': 'Run', 'data-testid': `${testid}-run` });
    this.modelSel = h('select', { class: 'select', 'aria-label': 'Model', 'data-testid': `${testid}-model` });
    this.el = h('div', { class: 'insight-picker' },
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Run'), this.runSel),
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Model'), this.modelSel));
    this.runSel.addEventListener('change', () => {
      this.modelSel.replaceChildren();  // another run: its own models, the first by default
      onChange();
    });
    this.modelSel.addEventListener('change', () => onChange());
    this.sync();
  }

  get run(): string | null {
    return this.runSel.value || null;
  }

  get model(): string | undefined {
    return this.modelSel.value || undefined;
  }

  /** Refills the run list from the selection; returns true when the chosen run changed. */
  sync(): boolean {
    const st = this.ctx.state.get();
    const ids = st.runs.filter((r) => st.selected.has(r.id)).map((r) => r.id);
    if (ids.join() === this.runIds.join()) return false;
    const before = this.run;
    this.runIds = ids;
    this.runSel.replaceChildren(...st.runs.filter((r) => st.selected.has(r.id)).map((r) => h('option', { value: r.id }, r.name)));
    if (before && ids.includes(before)) this.runSel.value = before;
    if (this.run !== before) this.modelSel.replaceChildren();
    return this.run !== before;
  }

  setModels(models: string[], current?: string): void {
    const keep = current ?? this.model;
    this.modelSel.replaceChildren(...models.map((m) => h('option', { value: m }, m)));
    if (keep && models.includes(keep)) this.modelSel.value = keep;
    this.modelSel.parentElement!.hidden = models.length < 2;
  }
}

/** A canvas sized to its box at the device's pixel ratio; returns its 2D context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.max(1, Math.round(height * dpr));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  return g;
}

/** The current value of a CSS variable (theme colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Viridis, sampled: t in [0, 1]. */
export function viridis(t: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * The handle shared by the training-health panels: reload when the selected runs change (and the
 * picker's run with them), redraw on a theme change, and on destroy cancel pending requests,
 * stop observing the size and empty the panel.
 */
export function watchedPanelHandle(o: {
  root: HTMLElement;
  picker: RunPicker;
  observer: ResizeObserver;
  reload(): void;
  redraw(): void;
  cancel(): void;
}): PanelHandle {
  return {
    update(change) {
      if ((change.changed.has('selected') || change.changed.has('runs')) && o.picker.sync()) o.reload();
      if (change.changed.has('theme')) o.redraw();
    },
    destroy() {
      o.cancel();
      o.observer.disconnect();
      o.root.replaceChildren();
    },
  };
}
