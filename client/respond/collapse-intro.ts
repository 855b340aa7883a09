/**
 * A long introduction (an html element of several paragraphs or lists) shows its first paragraph
 * and folds the rest into a native <details> a tap opens (issue 12: on a 360 × 740 phone the full
 * introduction pushed the first question two screens down). Nothing is removed: the terms stay one
 * tap away, keyboard- and screen-reader-operable without any script of ours. Html of a single
 * element, or what does not parse as elements, is returned unchanged.
 */
export function collapseIntroHtml(html: string, summary: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const parts = Array.from(doc.body.children);
  const looseText = Array.from(doc.body.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
  if (parts.length < 2 || looseText || doc.body.querySelector('details')) return html;
  const details = doc.createElement('details');
  details.className = 'respond-intro__more';
  const title = doc.createElement('summary');
  title.textContent = summary;
  details.append(title, ...parts.slice(1));
  doc.body.append(details);
  return doc.body.innerHTML;
}
