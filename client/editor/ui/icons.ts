/** Tool icons: small inline SVGs (24×24, stroked with currentColor). */
import type { ToolId } from '../tools/tool.ts';

const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

export const TOOL_ICONS: Record<ToolId, string> = {
  select: svg('<path d="M5 3l13 8-6 1.5L9 19z"/>'),
  hand: svg(
    '<path d="M8 12V5.5a1.5 1.5 0 0 1 3 0V11m0-6.5a1.5 1.5 0 0 1 3 0V11m0-5a1.5 1.5 0 0 1 3 0v8a7 7 0 0 1-7 7 6 6 0 0 1-5-2.7L3.5 15a1.5 1.5 0 0 1 2.5-1.7L8 15"/>',
  ),
  rect: svg('<rect x="4" y="5" width="16" height="14" rx="2"/>'),
  ellipse: svg('<ellipse cx="12" cy="12" rx="8.5" ry="6.5"/>'),
  line: svg('<path d="M5 19L19 5"/>'),
  arrow: svg('<path d="M5 19L19 5M10 5h9v9"/>'),
  pen: svg('<path d="M4 20c3-1 4-6 7-9s6-5 8-3-1 5-4 7-7 3-8 6"/>'),
  text: svg('<path d="M5 6V4h14v2M12 4v16M9 20h6"/>'),
  sticky: svg('<path d="M5 4h14v10l-6 6H5z"/><path d="M13 20v-6h6"/>'),
  laser: svg(
    '<path d="M4 20l7-7"/><circle cx="15" cy="9" r="3"/><path d="M15 3v1.5M21 9h-1.5M19.2 4.8l-1 1M19.2 13.2l-1-1M10.8 4.8l1 1"/>',
  ),
};
