/**
 * The panel contract. A panel is one visualization: it owns a DOM subtree and renders from the
 * shared state, the API and the live bus. Panels are listed, in order, in panels/index.ts; the
 * page mounts those that the server's `GET /api/v1/panels` names, in the server's order.
 */
import type { ApiClient } from './api';
import type { AppState, StateChange, Store } from './state';
import type { LiveBus } from './stream';

export interface PanelContext {
  /** The typed API client (it adds the access token). */
  readonly api: ApiClient;
  /** Shared state: selected runs, colours, theme, x axis, smoothing, log scale; `subscribe` to follow it. */
  readonly state: Store<AppState>;
  /** Live events from the server's stream (`runs`, `scalars`) and `resync` after a reconnect. */
  readonly live: LiveBus;
  /** Shows an error in the page's banner; panels call it instead of throwing. */
  reportError(error: unknown, what: string): void;
  /** Marks a successful call, clearing a banner that the same `what` raised. */
  clearError(what: string): void;
  /**
   * Linked views: shows the tab of panel `name` (mounting it if needed) and hands it `detail`
   * through its handle's `reveal` (e.g. `{ run, split, cell: [3, 5] }` for the examples of a
   * confusion-matrix cell). Resolves to false when the page has no such panel.
   */
  open(name: string, detail?: unknown): Promise<boolean>;
}

export interface PanelHandle {
  /** Called after every change of the shared state, with the keys that changed. */
  update?(change: StateChange<AppState>): void;
  /** Releases everything the panel holds: listeners, timers, charts, requests. */
  destroy(): void;
  /** Shows what another panel asked for through `ctx.open(name, detail)`. */
  reveal?(detail: unknown): void;
}

export interface Panel {
  /** The registry name the server uses in `GET /api/v1/panels`. */
  readonly name: string;
  /** The default title; the server's title wins when it sends one. */
  readonly title: string;
  /**
   * Where the panel lives: `top` panels (the runs table) are always shown above the tabs; `tab`
   * panels (the default) get a tab each and are mounted when first shown.
   */
  readonly placement?: 'top' | 'tab';
  /**
   * Tab panels with the same group share one tab, titled by the group, stacked in registry
   * order (e.g. 'Evaluation' for the confusion matrix, per-class metrics and curves). Default:
   * a tab of its own.
   */
  readonly group?: string;
  /** Renders into `root` (an empty element inside the panel's card) and returns its handle. */
  mount(root: HTMLElement, ctx: PanelContext): PanelHandle;
}
