// RFC 4180 CSV text for "export the current slice" (the host writes the file; webviews cannot). Fields
// are quoted by the data layer's one rule (dataset/csvField.ts, a pure leaf the layer rule lets webviews
// import); the header marks the file as guarded (csvHeader) so the workbench reads the cells back exactly.
import { csvField, csvHeader } from '../../dataset/csvField';

export function toCsv(header: string[], rows: Array<Array<string | number | boolean | null | undefined>>): string {
  return [csvHeader(header).replace(/\n$/, ''), ...rows.map((r) => r.map((v) => csvField(v)).join(','))].join('\r\n') + '\r\n';
}
