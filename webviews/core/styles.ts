// The renderers' stylesheet, injected once per document. Every colour comes from a --vscode-* variable.

const CSS = `
.ew-root{font-family:var(--vscode-font-family,sans-serif);font-size:var(--vscode-font-size,13px);color:var(--vscode-foreground,#3b3b3b);line-height:1.45;max-width:100%;overflow-x:auto}
.ew-root *{box-sizing:border-box}
.ew-title{font-weight:600;margin:4px 0 8px}
.ew-muted{color:var(--vscode-descriptionForeground,#616161)}
.ew-warning{color:var(--vscode-editorWarning-foreground,#8a5b00);border-left:3px solid var(--vscode-editorWarning-foreground,#bf8803);padding:2px 8px;margin:4px 0}
.ew-toolbar{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin:4px 0 8px}
.ew-toolbar label{display:inline-flex;gap:6px;align-items:center}
.ew-toolbar vscode-textfield{width:200px}
.ew-toolbar vscode-single-select{width:auto;min-width:80px;max-width:220px}
.ew-toolbar input[type=range]{accent-color:var(--vscode-focusBorder,#005fb8);width:120px}
.ew-toolbar input[type=number]{width:64px;background:var(--vscode-input-background,#fff);color:var(--vscode-input-foreground,#3b3b3b);border:1px solid var(--vscode-input-border,#cecece);border-radius:2px;padding:2px 4px;font:inherit}
.ew-error{border:1px solid var(--vscode-inputValidation-errorBorder,#e51400);background:var(--vscode-inputValidation-errorBackground,#fdecea);color:var(--vscode-foreground,#3b3b3b);padding:8px 12px;border-radius:3px;margin:4px 0;font-family:var(--vscode-font-family,sans-serif)}
.ew-error-title{font-weight:600;color:var(--vscode-errorForeground,#c72e0f)}
.ew-error-detail{font-family:var(--vscode-editor-font-family,monospace);margin-top:4px;white-space:pre-wrap}
.ew-error-hint{margin-top:4px;color:var(--vscode-descriptionForeground,#616161);font-size:90%}
.ew-table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:2px 0}
.ew-table th,.ew-table td{border-bottom:1px solid var(--vscode-panel-border,#e5e5e5);padding:3px 8px;text-align:left;vertical-align:top}
.ew-table th{font-weight:600;white-space:nowrap;border-bottom-color:var(--vscode-widget-border,#d0d0d0)}
.ew-table th.ew-sortable{cursor:pointer;user-select:none}
.ew-sort{background:none;border:0;padding:0;margin:0;font:inherit;color:inherit;cursor:pointer;text-align:inherit;white-space:nowrap}
.ew-table th.ew-sortable:hover{background:var(--vscode-list-hoverBackground,#f2f2f2)}
.ew-table td.ew-num,.ew-table th.ew-num{text-align:right}
.ew-table tr:hover td{background:var(--vscode-list-hoverBackground,#f2f2f2)}
.ew-table td.ew-best{font-weight:700}
.ew-table td.ew-text{max-width:420px}
.ew-table td.ew-id{white-space:nowrap}
.ew-summary{display:grid;grid-template-columns:auto auto;gap:2px 16px}
.ew-pager{display:flex;gap:8px;align-items:center;margin:6px 0}
.ew-pager button,.ew-btn{background:var(--vscode-button-secondaryBackground,#e5e5e5);color:var(--vscode-button-secondaryForeground,#3b3b3b);border:1px solid var(--vscode-widget-border,#d0d0d0);border-radius:2px;padding:2px 10px;font:inherit;cursor:pointer}
.ew-pager button:disabled{opacity:.5;cursor:default}
.ew-chip{display:inline-block;padding:0 6px;border-radius:8px;font-size:90%;background:var(--vscode-badge-background,#ccc);color:var(--vscode-badge-foreground,#333);margin-right:4px;white-space:nowrap}
.ew-lv2{font-weight:700}
.ew-span-ER{background:color-mix(in srgb,var(--vscode-charts-red,#e51400) 28%,transparent)}
.ew-span-IP{background:color-mix(in srgb,var(--vscode-charts-blue,#1a85ff) 28%,transparent)}
.ew-span-EX{background:color-mix(in srgb,var(--vscode-charts-green,#388a34) 30%,transparent)}
.ew-span-multi{background:color-mix(in srgb,var(--vscode-charts-purple,#652d90) 30%,transparent)}
/* Not by colour alone: each mechanism's span has its own underline, and screen readers hear which one. */
mark.ew-span{text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:3px}
mark.ew-span-IP{text-decoration-style:dashed}
mark.ew-span-EX{text-decoration-style:dotted}
mark.ew-span-multi{text-decoration-style:double}
.ew-spantext mark.ew-span::before,.ew-spantext mark.ew-span::after{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ew-spantext mark.ew-span::before{content:' (' attr(title) ': '}
.ew-spantext mark.ew-span::after{content:') '}
.ew-grid{display:grid;gap:12px}
.ew-cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
.ew-card{border:1px solid var(--vscode-panel-border,#e5e5e5);border-radius:4px;padding:8px 10px;background:var(--vscode-editorWidget-background,transparent)}
.ew-card h3{margin:0 0 6px;font-size:100%}
.ew-sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.ew-plot{width:100%;min-height:120px}
.ew-data summary{cursor:pointer;margin:4px 0}
.ew-cm{border-collapse:collapse;margin:4px 0}
.ew-cm td.ew-cell{width:64px;height:44px;text-align:center;cursor:pointer;border:1px solid var(--vscode-panel-border,#e5e5e5);font-variant-numeric:tabular-nums}
.ew-cm td.ew-cell:hover{outline:2px solid var(--vscode-focusBorder,#005fb8);outline-offset:-2px}
.ew-cm td.ew-cell.ew-selected{outline:2px solid var(--vscode-focusBorder,#005fb8);outline-offset:-2px}
.ew-cm th{font-weight:600;padding:2px 6px;font-size:90%}
.ew-cm .ew-axis{color:var(--vscode-descriptionForeground,#616161);font-weight:400}
.ew-examples{margin-top:8px}
.ew-examples li{margin:4px 0}
.ew-quote{background:var(--vscode-textBlockQuote-background,#f2f2f2);padding:2px 6px;border-radius:2px}
.ew-heat{font-family:var(--vscode-editor-font-family,monospace);font-size:95%;white-space:pre-wrap;word-break:break-word;line-height:1.9}
.ew-tok,.ew-gap{padding:1px 0}
.ew-tok:hover{outline:1px solid var(--vscode-focusBorder,#005fb8)}
/* Not by colour alone: a likely rationale token is also underlined, and screen readers hear its probability. */
.ew-tok-hi{text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:3px}
.ew-tok[data-sr]::after,.ew-gold::before,.ew-gold::after{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ew-tok[data-sr]::after{content:attr(data-sr)}
.ew-gold::before{content:' (gold rationale: '}
.ew-gold::after{content:' end of gold) '}
:focus-visible{outline:2px solid var(--vscode-focusBorder,#005fb8);outline-offset:1px}
@media (forced-colors: active){.ew-gold{border-color:Highlight}.ew-cm td.ew-cell.ew-selected,.ew-list div.ew-selected{outline:2px solid Highlight}.ew-chip{border:1px solid CanvasText}}
.ew-gold{border:1.5px solid var(--vscode-charts-yellow,#bf8803);border-radius:3px;padding:1px 0;-webkit-box-decoration-break:clone;box-decoration-break:clone}
.ew-trunc{color:var(--vscode-descriptionForeground,#616161);text-decoration:line-through dotted}
.ew-trunc-mark{display:inline-block;font-family:var(--vscode-font-family,sans-serif);font-size:80%;padding:0 4px;margin:0 3px;border-radius:3px;border:1px dashed var(--vscode-errorForeground,#c72e0f);color:var(--vscode-errorForeground,#c72e0f)}
.ew-probrow{display:flex;gap:10px;align-items:center;font-size:90%;flex-wrap:wrap}
.ew-prob{display:inline-flex;gap:4px;align-items:center;font-variant-numeric:tabular-nums}
.ew-probtrack{display:inline-block;width:40px;height:7px;border-radius:4px;background:var(--vscode-panel-border,#e5e5e5);overflow:hidden}
.ew-probtrack span{display:block;height:100%}
.ew-hover{min-height:1.4em;font-size:90%}
.ew-legend{display:flex;gap:10px;align-items:center;font-size:90%;flex-wrap:wrap}
.ew-swatch{display:inline-block;width:28px;height:10px;border-radius:2px;vertical-align:middle}
.ew-stats{display:flex;gap:18px;flex-wrap:wrap;margin:4px 0}
.ew-stat b{font-size:120%}
.ew-split{display:grid;grid-template-columns:minmax(220px,30%) 1fr;gap:12px}
.ew-cols3{grid-template-columns:repeat(3,minmax(200px,1fr))}
/* Reflow at 200% zoom (WCAG 1.4.10): one column, no horizontal scrolling of text. */
@media (max-width: 760px){.ew-split,.ew-cols3{grid-template-columns:minmax(0,1fr)}.ew-toolbar vscode-textfield{width:100%}}
.ew-list{max-height:520px;overflow:auto;border:1px solid var(--vscode-panel-border,#e5e5e5);border-radius:3px}
.ew-list div{padding:4px 8px;cursor:pointer;border-bottom:1px solid var(--vscode-panel-border,#e5e5e5)}
.ew-list div:hover{background:var(--vscode-list-hoverBackground,#f2f2f2)}
.ew-list div.ew-selected{background:var(--vscode-list-activeSelectionBackground,#e8e8e8);color:var(--vscode-list-activeSelectionForeground,inherit)}
.ew-list div.ew-selected .ew-muted{color:inherit}
.ew-editor textarea{width:100%;min-height:56px;resize:vertical;background:var(--vscode-input-background,#fff);color:var(--vscode-input-foreground,#3b3b3b);border:1px solid var(--vscode-input-border,#cecece);border-radius:2px;font:inherit;padding:4px 6px}
.ew-editor textarea:focus{outline:1px solid var(--vscode-focusBorder,#005fb8)}
.ew-status{font-size:90%;min-height:1.4em}
.ew-status.ew-bad{color:var(--vscode-errorForeground,#c72e0f)}
`;

export function ensureStyles(doc: Document = document): void {
  if (doc.getElementById('ew-styles')) return;
  const s = doc.createElement('style');
  s.id = 'ew-styles';
  s.textContent = CSS;
  (doc.head ?? doc.documentElement).appendChild(s);
}
