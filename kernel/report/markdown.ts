// A small, safe Markdown renderer for reports: every character of input is HTML-escaped; only the
// constructs below produce markup (headings, paragraphs, emphasis, code, fenced code, lists,
// block quotes, rules, GFM tables, links, images as alt text). Links: relative targets stay links,
// http(s)/mailto links are marked "external link: host", anything else (protocol-relative `//host`,
// other schemes) is inert text; nothing in the output fetches anything.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * What a link target may become in a report that is opened from disk (file://): a local link (anchors,
 * relative paths), a clearly marked external web/mail link, or nothing. Protocol-relative targets
 * (`//host/x`, which from file:// is a network share), backslashes, control characters and any other
 * scheme are inert: the label stays, no link.
 */
export type LinkTarget = { kind: 'local'; href: string } | { kind: 'external'; href: string; host: string } | { kind: 'inert' };

export function classifyHref(url: string): LinkTarget {
  const u = url.trim();
  if (u === '' || /[\\\s\u0000-\u001f\u007f]/.test(u) || u.startsWith('//')) return { kind: 'inert' };
  const web = /^https?:\/\/([^/?#@]+@)?([^/?#:@]+)(:\d+)?(?:[/?#]|$)/i.exec(u);
  if (web) return { kind: 'external', href: u, host: web[2].toLowerCase() };
  if (/^mailto:[^/?#]+$/i.test(u)) return { kind: 'external', href: u, host: 'email' };
  if (/^[#./\w-][^:]*$/.test(u)) return { kind: 'local', href: u };
  return { kind: 'inert' };
}

function renderLink(label: string, target: LinkTarget): string {
  switch (target.kind) {
    case 'local': return `<a href="${escapeHtml(target.href)}">${label}</a>`;
    case 'external':
      return `<a class="md-external" href="${escapeHtml(target.href)}" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">${label}</a>` +
        `<span class="md-external-mark"> (external link: ${escapeHtml(target.host)})</span>`;
    case 'inert': return `<span class="md-inert-link" title="link removed: not a relative or http(s)/mailto target">${label}</span>`;
  }
}

/** Inline markup on one escaped-later text run. */
export function renderInline(text: string): string {
  // Code spans first (their content is literal), then the rest piecewise.
  const parts = text.split(/(`+[^`]*?`+)/);
  return parts.map((part, i) => {
    if (i % 2 === 1) return `<code>${escapeHtml(part.replace(/^`+|`+$/g, ''))}</code>`;
    let s = escapeHtml(part);
    s = s.replace(/!\[([^\]]*)\]\(([^)\s]+)(?:\s+&quot;[^&]*&quot;)?\)/g, (_m, alt: string) => `<span class="md-image">[${alt}]</span>`);
    s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label: string, href: string) => {
      const raw = href.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
      return renderLink(label, classifyHref(raw));
    });
    s = s.replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '<strong>$2</strong>');
    s = s.replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?!\w)/g, '$1<em>$2</em>');
    s = s.replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1<em>$2</em>');
    s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '<del>$1</del>');
    s = s.replace(/ {2,}\n/g, '<br>\n');
    return s;
  }).join('');
}

function splitRow(line: string): string[] {
  return line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

export function renderMarkdown(md: string): string {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  const isBlank = (l: string | undefined) => l === undefined || l.trim() === '';
  const startsBlock = (l: string) => /^(#{1,6}\s|```|~~~|>|\s*([-*+]|\d+[.)])\s|\s*(\*\s*\*\s*\*|-\s*-\s*-|_\s*_\s*_)[\s*_-]*$)/.test(l);

  const list = (indent: number): string => {
    const ordered = /^\s*\d+[.)]\s/.test(lines[i]);
    const items: string[] = [];
    while (i < lines.length) {
      const m = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]);
      if (!m || m[1].length < indent) break;
      if (m[1].length > indent) {
        // A nested list belongs to the previous item.
        const nested = list(m[1].length);
        if (items.length) items[items.length - 1] += nested;
        continue;
      }
      let body = m[3];
      i++;
      while (i < lines.length && !isBlank(lines[i]) && !/^\s*([-*+]|\d+[.)])\s/.test(lines[i]) && !startsBlock(lines[i])) body += '\n' + lines[i++].trim();
      items.push(renderInline(body));
      if (isBlank(lines[i]) && /^\s*([-*+]|\d+[.)])\s/.test(lines[i + 1] ?? '')) i++;
    }
    const tag = ordered ? 'ol' : 'ul';
    return `<${tag}>${items.map((it) => `<li>${it}</li>`).join('')}</${tag}>`;
  };

  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i++; continue; }
    const fence = /^(```|~~~)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].startsWith(fence[1])) body.push(lines[i++]);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      out.push(`<h${h[1].length}>${renderInline(h[2])}</h${h[1].length}>`);
      i++;
      continue;
    }
    if (/^\s*(\*\s*\*\s*\*|-\s*-\s*-|_\s*_\s*_)[\s*_-]*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.startsWith('>')) {
      const body: string[] = [];
      while (i < lines.length && lines[i].startsWith('>')) body.push(lines[i++].replace(/^>\s?/, ''));
      out.push(`<blockquote>${renderMarkdown(body.join('\n'))}</blockquote>`);
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      out.push(list(/^\s*/.exec(line)![0].length));
      continue;
    }
    if (line.includes('|') && /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(lines[i + 1] ?? '')) {
      const head = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : ''));
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && !isBlank(lines[i]) && lines[i].includes('|')) rows.push(splitRow(lines[i++]));
      const cell = (tag: string, c: string, k: number) => `<${tag}${aligns[k] ? ` style="text-align:${aligns[k]}"` : ''}>${renderInline(c)}</${tag}>`;
      out.push(`<table><thead><tr>${head.map((c, k) => cell('th', c, k)).join('')}</tr></thead><tbody>${
        rows.map((r) => `<tr>${head.map((_, k) => cell('td', r[k] ?? '', k)).join('')}</tr>`).join('')}</tbody></table>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) para.push(lines[i++]);
    out.push(`<p>${renderInline(para.join('\n'))}</p>`);
  }
  return out.join('\n');
}
