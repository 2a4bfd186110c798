// Entry of the Dataset Explorer webview panel (out/webviews/datasetExplorer.js).
import { isHostToDatasetExplorer, type DatasetExplorerToHost, type HostToDatasetExplorer } from '../../kernel/protocol/panels';
import type { DatasetPayload } from '../../kernel/protocol/mime';
import { hostBridge, panelContext } from '../panels/hostBridge';
import { initialState, onReady, panelRoot } from '../panels/bootstrap';
import { DatasetExplorer } from '../panels/datasetExplorer';

const script = document.currentScript as HTMLScriptElement | null;

onReady(() => {
  const bridge = hostBridge<DatasetExplorerToHost, HostToDatasetExplorer>(isHostToDatasetExplorer, 'dataset explorer');
  const explorer = new DatasetExplorer(panelRoot(), bridge, panelContext(script, 'empathy.explorer.'));
  (window as unknown as { datasetExplorer: DatasetExplorer }).datasetExplorer = explorer;
  // The host may embed its first message (or just the dataset payload) in the page.
  const first = initialState();
  if (isHostToDatasetExplorer(first)) explorer.handle(first);
  else if (first && typeof first === 'object' && 'rows' in first) explorer.handle({ type: 'dataset', v: 1, dataset: first as DatasetPayload });
});
