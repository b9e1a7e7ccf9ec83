/** Hooks that end-to-end tests and the benchmark read from the page. */
interface LoupeHooks {
  /** True once the panels are mounted and the first run list is shown. */
  ready: boolean;
  /** `performance.now()` when the first chart finished drawing. */
  firstChartDrawnAt: number | null;
}

interface Window {
  __loupe: LoupeHooks;
}
