/**
 * Diagnostics, above the tabs: a banner when a selected run has error or warning events
 * (NaN loss, exploding or vanishing gradients, dead ReLUs, learning rate, plateau, overfitting),
 * with the list of events behind a toggle. Hidden while there is nothing to say.
 */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { throttle } from '../../throttle';
import { insightApi, type RunDiagnostics } from '../insight/api';
import './style.css';

export function headline(runs: RunDiagnostics[], names: ReadonlyMap<string, string>): { severity: 'error' | 'warning' | null; text: string } {
  const errors = runs.reduce((a, r) => a + (r.counts['error'] ?? 0), 0);
  const warnings = runs.reduce((a, r) => a + (r.counts['warning'] ?? 0), 0);
  if (!errors && !warnings) return { severity: null, text: '' };
  const first = runs.flatMap((r) => r.events.map((e) => ({ ...e, run: r.run }))).find((e) => e.severity === (errors ? 'error' : 'warning'))!;
  const parts = [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean);
  return { severity: errors ? 'error' : 'warning', text: `${parts.join(', ')} — ${names.get(first.run) ?? first.run}: ${first.message}` };
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = insightApi(ctx.api);
  const section = root.closest('section');
  let request = 0;
  let open = false;
  const text = h('span', { class: 'diag-text', 'data-testid': 'diagnostics-text' });
  const toggle = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'diagnostics-toggle', 'aria-expanded': 'false' }, 'Details');
  const banner = h('div', { class: 'diag-banner', role: 'status', 'data-testid': 'diagnostics-banner' }, h('span', { class: 'diag-icon', 'aria-hidden': 'true' }, '!'), text, toggle);
  const list = h('ul', { class: 'diag-list', hidden: true, 'data-testid': 'diagnostics-list' });
  root.append(banner, list);
  const setVisible = (v: boolean): void => {
    if (section) section.hidden = !v;
    root.hidden = !v;
  };
  setVisible(false);
  toggle.addEventListener('click', () => {
    open = !open;
    list.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    setText(toggle, open ? 'Hide' : 'Details');
  });

  const load = async (): Promise<void> => {
    const st = ctx.state.get();
    const ids = [...st.selected];
    const mine = ++request;
    if (!ids.length) return setVisible(false);
    try {
      const runs = await api.diagnostics(ids);
      if (mine !== request) return;
      const names = new Map(st.runs.map((r) => [r.id, r.name]));
      const head = headline(runs, names);
      setVisible(head.severity !== null);
      banner.className = `diag-banner is-${head.severity ?? 'none'}`;
      banner.dataset.severity = head.severity ?? '';
      setText(text, head.text);
      list.replaceChildren(...runs.flatMap((r) => r.events.filter((e) => e.severity !== 'info' || open).map((e) =>
        h('li', { class: `diag-item is-${e.severity}`, 'data-testid': 'diagnostics-item', 'data-kind': e.kind },
          h('span', { class: `diag-sev is-${e.severity}` }, e.severity),
          h('span', { class: 'diag-run' }, names.get(r.run) ?? r.run),
          h('span', { class: 'mono small diag-kind' }, e.kind),
          h('span', { class: 'diag-msg' }, e.message),
          h('span', { class: 'muted small mono' }, `${e.where ?? ''}${e.step !== null ? ` · step ${e.step}` : ''}`)))));
      ctx.clearError('diagnostics');
    } catch (err) {
      if (mine === request) ctx.reportError(err, 'diagnostics');
    }
  };
  const refresh = throttle(() => void load(), 2000);
  const off = ctx.live.on('scalars', () => refresh());
  void load();
  return {
    update(change) {
      if (change.changed.has('selected')) void load();
    },
    destroy() {
      request++;
      off();
      root.replaceChildren();
    },
  };
}

export const diagnosticsPanel: Panel = { name: 'diagnostics', title: 'Diagnostics', placement: 'top', mount };
