/**
 * The panels this page knows, in display order. Adding a visualization is its own folder under
 * panels/ plus one line here; the server's `GET /api/v1/panels` decides which are shown.
 */
import type { Panel } from '../panel';
import { runsPanel } from './runs';
import { scalarsPanel } from './scalars';
import { diagnosticsPanel } from './diagnostics';
import { modelSummaryPanel } from './model-summary';
import { modelGraphPanel } from './model-graph';
import { histogramsPanel } from './histograms';
import { gradientFlowPanel } from './gradient-flow';
import { activationsPanel } from './activations';
import { calibrationPanel } from './calibration';
import { classMetricsPanel } from './class-metrics';
import { confusionPanel } from './confusion';
import { curvesPanel } from './curves';
import { dataMapPanel } from './data-map';
import { examplesPanel } from './examples';
import { dataPanel } from './data';
import { projectorPanel } from './projector';

export const PANELS: readonly Panel[] = [
  runsPanel,
  diagnosticsPanel,
  scalarsPanel,
  dataPanel,
  projectorPanel,
  confusionPanel,
  classMetricsPanel,
  curvesPanel,
  calibrationPanel,
  examplesPanel,
  dataMapPanel,
  modelSummaryPanel,
  modelGraphPanel,
  histogramsPanel,
  gradientFlowPanel,
  activationsPanel,
];
