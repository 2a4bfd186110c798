// Entry of the Rationale Inspector webview panel (out/webviews/rationaleInspector.js).
import { isHostToRationaleInspector, type HostToRationaleInspector, type InspectorExample, type InspectorModel, type RationaleInspectorToHost } from '../../kernel/protocol/panels';
import { hostBridge, panelContext } from '../panels/hostBridge';
import { initialState, onReady, panelRoot } from '../panels/bootstrap';
import { RationaleInspector } from '../panels/rationaleInspector';

const script = document.currentScript as HTMLScriptElement | null;

onReady(() => {
  const bridge = hostBridge<RationaleInspectorToHost, HostToRationaleInspector>(isHostToRationaleInspector, 'rationale inspector');
  const debounceMs = Number(script?.dataset.debounceMs ?? '') || undefined;
  const inspector = new RationaleInspector(panelRoot(), bridge, panelContext(script, 'empathy.inspector.'), { debounceMs });
  (window as unknown as { rationaleInspector: RationaleInspector }).rationaleInspector = inspector;
  // The host may embed its `init` message (or just { examples, models }) in the page.
  const first = initialState() as { examples?: InspectorExample[]; models?: InspectorModel[]; modelId?: string } | undefined;
  if (isHostToRationaleInspector(first)) inspector.handle(first);
  else if (first && Array.isArray(first.examples)) inspector.handle({ type: 'init', v: 1, examples: first.examples, models: first.models ?? [], modelId: first.modelId });
});
