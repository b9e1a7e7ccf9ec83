/**
 * The panels this page knows, one line per panel folder, in display order. Adding a visualization
 * is its own folder under panels/ (an `index.ts` exporting a `Panel`) plus one line here; the
 * server's `GET /api/v1/panels` decides which are shown, and in what order.
 */
import type { Panel } from '../panel';

export const FOLDERS: readonly string[] = [
  'runs',
  'diagnostics',
  'scalars',
  'data',
  'projector',
  'confusion',
  'class-metrics',
  'class-accuracy',
  'curves',
  'calibration',
  'examples',
  'data-map',
  'model-summary',
  'model-graph',
  'histograms',
  'gradient-flow',
  'activations',
];

// Every folder's index.ts, bundled eagerly; a folder without one is code panels share.
const modules = import.meta.glob<Record<string, unknown>>('./*/index.ts', { eager: true });

function isPanel(value: unknown): value is Panel {
  const p = value as Partial<Panel> | null;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && typeof p.mount === 'function';
}

/** The Panel that `panels/<folder>/index.ts` exports. */
export function panelOf(folder: string, found: Record<string, Record<string, unknown>> = modules): Panel {
  const module = found[`./${folder}/index.ts`];
  if (!module) throw new Error(`panels/index.ts lists ${folder}, but panels/${folder}/index.ts does not exist`);
  const panels = Object.values(module).filter(isPanel);
  if (panels.length !== 1) throw new Error(`panels/${folder}/index.ts must export exactly one Panel, found ${panels.length}`);
  return panels[0]!;
}

export const PANELS: readonly Panel[] = FOLDERS.map((folder) => panelOf(folder));
