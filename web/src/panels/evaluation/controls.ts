/**
 * The toolbar every evaluation panel carries: run, an optional run to compare side by side, the
 * split, and a step slider over the run's logged steps (at its right end it follows the latest).
 */
import { h, setText } from '../../dom';
import type { PanelContext } from '../../panel';
import { EvalApi, type RunPredictions, type SplitInfo } from './api';

export interface RunRef {
  id: string;
  name: string;
  color: string;
}

export interface Selection {
  runs: RunRef[];
  split: string;
  /** null: the latest step. */
  step: number | null;
  info: SplitInfo;
  checkpoint: boolean;
}

export interface Reveal {
  run?: string;
  split?: string;
  step?: number | null;
}

export class EvalControls {
  readonly el: HTMLElement;
  private readonly runSel: HTMLSelectElement;
  private readonly cmpSel: HTMLSelectElement;
  private readonly splitSel: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly stepLabel: HTMLElement;
  private index: RunPredictions[] = [];
  private run: string | null = null;
  private compare = '';
  private split = 'test';
  private step: number | null = null;
  private lastKey = '';
  private labels = '';
  private disposers: (() => void)[] = [];
  private timer: number | null = null;

  constructor(
    private readonly ctx: PanelContext,
    readonly api: EvalApi,
    private readonly onChange: (sel: Selection | null) => void,
    private readonly what: string,
  ) {
    this.runSel = h('select', { class: 'select', 'data-testid': 'eval-run', 'aria-label': 'Run' });
    this.cmpSel = h('select', { class: 'select', 'data-testid': 'eval-compare', 'aria-label': 'Compare with' });
    this.splitSel = h('select', { class: 'select', 'data-testid': 'eval-split', 'aria-label': 'Split' });
    this.slider = h('input', { type: 'range', class: 'range eval-step', min: '0', max: '0', step: '1', 'data-testid': 'eval-step', 'aria-label': 'Step' });
    this.stepLabel = h('output', { class: 'mono small eval-step-label', 'data-testid': 'eval-step-label' });
    this.el = h(
      'div',
      { class: 'toolbar eval-toolbar' },
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Run'), this.runSel),
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Compare'), this.cmpSel),
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Split'), this.splitSel),
      h('label', { class: 'control eval-step-control' }, h('span', { class: 'control-label' }, 'Step'), this.slider, this.stepLabel),
    );
    this.runSel.addEventListener('change', () => { this.run = this.runSel.value; this.render(); });
    this.cmpSel.addEventListener('change', () => { this.compare = this.cmpSel.value; this.render(); });
    this.splitSel.addEventListener('change', () => { this.split = this.splitSel.value; this.step = null; this.render(); });
    this.slider.addEventListener('input', () => {
      const steps = this.info()?.steps ?? [];
      const i = Number(this.slider.value);
      this.step = i >= steps.length - 1 ? null : steps[i] ?? null;
      this.render();
    });
    const refresh = (): void => {
      if (this.timer !== null) return;
      this.timer = window.setTimeout(() => { this.timer = null; void this.load(); }, 2000);
    };
    this.disposers.push(ctx.live.on('scalars', refresh), ctx.live.on('resync', refresh));
    void this.load();
  }

  /** Shows what a linked view asked for (run, split, step). */
  set(detail: Reveal): void {
    if (detail.run) this.run = detail.run;
    if (detail.split) this.split = detail.split;
    if (detail.step !== undefined) this.step = detail.step;
    this.render();
  }

  /**
   * The run list changed: relabel when a name or colour shown here changed. The index can arrive
   * before the run list, and then the options showed run ids until now.
   */
  runsChanged(): void {
    if (this.labelsKey() !== this.labels) this.render();
  }

  current(): Selection | null {
    const info = this.info();
    if (!info || this.run === null) return null;
    const names = new Map(this.ctx.state.get().runs.map((r) => [r.id, r.name]));
    const colors = this.ctx.state.get().colors;
    const ids = [this.run, ...(this.compare && this.compare !== this.run ? [this.compare] : [])];
    const entry = this.index.find((r) => r.run === this.run);
    return {
      runs: ids.map((id) => ({ id, name: names.get(id) ?? id, color: colors.get(id) ?? 'var(--accent)' })),
      split: this.split,
      step: this.step,
      info,
      checkpoint: entry?.checkpoint ?? false,
    };
  }

  destroy(): void {
    for (const d of this.disposers) d();
    if (this.timer !== null) window.clearTimeout(this.timer);
  }

  private labelsKey(): string {
    const { runs, colors } = this.ctx.state.get();
    const names = new Map(runs.map((r) => [r.id, r.name]));
    return JSON.stringify(this.index.map((r) => [r.run, names.get(r.run) ?? null, colors.get(r.run) ?? null]));
  }

  private info(): SplitInfo | undefined {
    return this.index.find((r) => r.run === this.run)?.splits.find((s) => s.split === this.split);
  }

  private async load(): Promise<void> {
    try {
      this.index = await this.api.index();
      this.ctx.clearError(this.what);
    } catch (err) {
      this.ctx.reportError(err, this.what);
      return;
    }
    if (!this.index.some((r) => r.run === this.run)) {
      const selected = this.ctx.state.get().selected;
      this.run = (this.index.find((r) => selected.has(r.run)) ?? this.index[0])?.run ?? null;
    }
    this.render();
  }

  private render(): void {
    this.labels = this.labelsKey();
    const names = new Map(this.ctx.state.get().runs.map((r) => [r.id, r.name]));
    const option = (value: string, label: string): HTMLOptionElement => h('option', { value }, label);
    this.runSel.replaceChildren(...this.index.map((r) => option(r.run, names.get(r.run) ?? r.run)));
    this.cmpSel.replaceChildren(option('', '—'), ...this.index.filter((r) => r.run !== this.run).map((r) => option(r.run, names.get(r.run) ?? r.run)));
    if (this.run !== null) this.runSel.value = this.run;
    if (this.compare === this.run) this.compare = '';
    this.cmpSel.value = this.compare;
    this.cmpSel.disabled = this.index.length < 2;
    const splits = this.index.find((r) => r.run === this.run)?.splits ?? [];
    if (splits.length && !splits.some((s) => s.split === this.split)) this.split = splits[0]?.split ?? 'test';
    this.splitSel.replaceChildren(...splits.map((s) => option(s.split, s.split)));
    this.splitSel.value = this.split;
    const steps = this.info()?.steps ?? [];
    this.slider.max = String(Math.max(0, steps.length - 1));
    const at = this.step === null ? steps.length - 1 : Math.max(0, steps.findIndex((s) => s >= (this.step ?? 0)));
    this.slider.value = String(at);
    this.slider.disabled = steps.length < 2;
    const shown = this.step === null ? steps[steps.length - 1] : this.step;
    setText(this.stepLabel, shown === undefined ? '' : `${shown}${this.step === null ? ' (latest)' : ''}`);
    const sel = this.current();
    const key = sel ? JSON.stringify([sel.runs.map((r) => [r.id, r.name, r.color]), sel.split, sel.step, sel.info.steps]) : '';
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.onChange(sel);
  }
}

/** One column per run (two when comparing), each headed by the run's name in its colour. */
export function columns(root: HTMLElement, sel: Selection, fill: (col: HTMLElement, run: string) => void): void {
  root.replaceChildren();
  root.classList.toggle('is-compare', sel.runs.length > 1);
  for (const run of sel.runs) {
    const col = h('div', { class: 'eval-col', 'data-run': run.id });
    if (sel.runs.length > 1) {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.background = run.color;
      col.append(h('div', { class: 'eval-col-title' }, swatch, run.name));
    }
    root.append(col);
    fill(col, run.id);
  }
}

export const NO_PREDICTIONS = 'Log predictions with run.log_predictions(targets, logits, split, step=…) to see this panel.';
