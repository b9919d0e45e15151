/**
 * Fitting SVG text into a width: the text is measured as the browser renders it (an SVG <text> of
 * the same classes, so the same CSS font, in a hidden <svg> of its own) and, when too wide, cut
 * at the longest prefix that fits with an ellipsis. Widths are cached per class and text.
 */

/** The longest prefix of `text` that, followed by "…", is at most `max` wide; `text` when it fits. */
export function ellipsize(text: string, max: number, width: (s: string) => number): string {
  if (width(text) <= max) return text;
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (width(text.slice(0, mid).trimEnd() + '…') <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo).trimEnd() + '…';
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const widths = new Map<string, number>();
let probe: { svg: SVGSVGElement; groups: Map<string, SVGTextElement> } | null = null;

/**
 * The rendered width of `text` in an SVG <text class={textClass}> inside <g class={groupClass}>
 * (the classes the CSS styles it by); undefined where there is no DOM to measure in.
 */
export function svgTextWidth(text: string, groupClass: string, textClass: string): number | undefined {
  if (typeof document === 'undefined' || !document.body) return undefined;
  const key = `${groupClass}|${textClass}|${text}`;
  const cached = widths.get(key);
  if (cached !== undefined) return cached;
  if (!probe || !probe.svg.isConnected) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    svg.style.position = 'absolute';
    svg.style.visibility = 'hidden';
    svg.style.left = '-10000px';
    svg.style.top = '0';
    document.body.appendChild(svg);
    probe = { svg, groups: new Map() };
  }
  let el = probe.groups.get(`${groupClass}|${textClass}`);
  if (!el) {
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', groupClass);
    el = document.createElementNS(SVG_NS, 'text');
    el.setAttribute('class', textClass);
    g.appendChild(el);
    probe.svg.appendChild(g);
    probe.groups.set(`${groupClass}|${textClass}`, el);
  }
  el.textContent = text;
  const w = el.getComputedTextLength();
  // A width of 0 for non-empty text means the font is not laid out yet: don't keep it.
  if (w > 0 || text === '') {
    if (widths.size > 5000) widths.clear();
    widths.set(key, w);
  }
  return w;
}

/** `text` cut with an ellipsis to fit `max` px as <text class={textClass}> in <g class={groupClass}>. */
export function fitSvgText(text: string, max: number, groupClass: string, textClass: string): string {
  if (svgTextWidth(text, groupClass, textClass) === undefined) return text;
  return ellipsize(text, max, (s) => svgTextWidth(s, groupClass, textClass) ?? 0);
}
