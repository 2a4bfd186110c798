// CSV text as the workbench writes it, for the browser code (the panels' "export the current slice"):
// the data layer's one field-quoting rule (dataset/csvField.ts), re-exported at the webviews' boundary.
export { csvField, csvHeader } from '../../dataset/csvField';
