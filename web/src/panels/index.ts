/**
 * The panels this page knows, in display order. Adding a visualization is its own folder under
 * panels/ plus one line here; the server's `GET /api/v1/panels` decides which are shown.
 */
import type { Panel } from '../panel';
import { runsPanel } from './runs';
import { scalarsPanel } from './scalars';

export const PANELS: readonly Panel[] = [
  runsPanel,
  scalarsPanel,
];
