/**
 * The board lifecycle routes as tests call them (links, reset a link, delete, export, import),
 * and small waits on what a reset or a delete does to clients: a WebSocket's close code, an SSE
 * stream's `gone` event.
 */
import { EventSource } from 'eventsource';
import { FEED_EVENTS } from '../../common/board/snapshot.ts';
import type { StockClient } from './clients.ts';

export interface Links {
  editId: string;
  viewId: string;
  editUrl: string;
  viewUrl: string;
  embedHtml: string;
}

function authHeaders(token?: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function getLinks(baseUrl: string, editId: string): Promise<Links> {
  const response = await fetch(`${baseUrl}/api/boards/${editId}/links`);
  if (!response.ok) throw new Error(`links answered ${response.status}`);
  return (await response.json()) as Links;
}

export function rotateLink(
  baseUrl: string,
  id: string,
  which: 'edit' | 'view',
  token?: string,
): Promise<Response> {
  return fetch(`${baseUrl}/api/boards/${id}/links/rotate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(token) },
    body: JSON.stringify({ which }),
  });
}

/** Resets a link and returns the new links (throws unless 200). */
export async function rotated(baseUrl: string, id: string, which: 'edit' | 'view') {
  const response = await rotateLink(baseUrl, id, which);
  if (response.status !== 200) throw new Error(`rotate answered ${response.status}`);
  return (await response.json()) as Links;
}

export function deleteBoard(baseUrl: string, id: string, token?: string): Promise<Response> {
  return fetch(`${baseUrl}/api/boards/${id}`, {
    method: 'DELETE',
    headers: authHeaders(token),
  });
}

/** The next close of the client's socket: its code and reason. */
export function nextClose(client: StockClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    client.provider.once('connection-close', (event: CloseEvent | null) =>
      resolve({ code: event?.code ?? 0, reason: event?.reason ?? '' }),
    ),
  );
}

/** An SSE stream that records whether it was told `gone`, and whether it got any event. */
export class GoneWatcher {
  readonly source: EventSource;
  gone = false;
  events = 0;

  constructor(url: string) {
    this.source = new EventSource(url);
    this.source.addEventListener(FEED_EVENTS.GONE, () => {
      this.gone = true;
      this.source.close(); // as the viewer page does: a gone stream is not reconnected
    });
    for (const type of [FEED_EVENTS.SNAPSHOT, FEED_EVENTS.PATCH])
      this.source.addEventListener(type, () => this.events++);
  }

  close(): void {
    this.source.close();
  }
}
