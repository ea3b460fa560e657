/**
 * Draws the others: their cursors with name tags (DOM, over the canvas), their selections
 * outlined in their colour (overlay layer, not listening), and the avatars of who is here: one's
 * own first (click: rename), then the others (click: follow their view).
 */
import Konva from 'konva';
import { shapeInkBounds } from '../../common/render/shape-geometry.ts';
import type { BoardModel } from './board-model.ts';
import type { Canvas } from './canvas.ts';
import type { Peer, Presence } from './presence.ts';
import type { Viewport } from './viewport.ts';

const OUTLINE_PADDING = 4;
const MAX_AVATARS = 6;
const CURSOR_SVG =
  '<svg width="18" height="18" viewBox="0 0 18 18"><path d="M2 1l13 7-6 1.6L6.4 16z" fill="currentColor" stroke="#fff" stroke-width="1.5" stroke-linejoin="round"/></svg>';

export interface PresenceViewDeps {
  presence: Presence;
  model: BoardModel;
  canvas: Canvas;
  viewport: Viewport;
  cursorLayer: HTMLElement;
  avatars: HTMLElement;
  self: () => { name: string; color: string };
  /** The client id of the person followed, if any (their avatar is ringed). */
  followedId?: () => number | null;
}

export class PresenceView {
  private readonly outlines = new Konva.Group({ listening: false });
  private peers: Peer[] = [];
  private readonly cursors = new Map<number, HTMLElement>();

  constructor(private readonly deps: PresenceViewDeps) {
    deps.canvas.overlay.add(this.outlines);
    this.outlines.moveToBottom();
    deps.presence.onChange((peers) => {
      this.peers = peers;
      this.render();
    });
    deps.viewport.onChange(() => this.drawCursors());
    deps.model.onChange(() => {
      if (this.peers.some((peer) => peer.selection.length > 0)) this.drawOutlines();
    });
  }

  render(): void {
    this.drawCursors();
    this.drawOutlines();
    this.drawAvatars();
  }

  /** One element per peer, kept between updates so the cursor glides (CSS transition). */
  private drawCursors(): void {
    const seen = new Set<number>();
    for (const peer of this.peers) {
      if (!peer.cursor) continue;
      seen.add(peer.clientId);
      const cursor = this.cursors.get(peer.clientId) ?? this.createCursor(peer.clientId);
      const at = this.deps.viewport.toScreen(peer.cursor);
      cursor.dataset.peer = peer.name;
      cursor.style.transform = `translate(${at.x}px, ${at.y}px)`;
      cursor.style.color = peer.color;
      const tag = cursor.lastElementChild as HTMLElement;
      tag.textContent = peer.name;
      tag.style.background = peer.color;
    }
    for (const [clientId, cursor] of this.cursors) {
      if (seen.has(clientId)) continue;
      cursor.remove();
      this.cursors.delete(clientId);
    }
  }

  private createCursor(clientId: number): HTMLElement {
    const cursor = document.createElement('div');
    cursor.className = 'peer-cursor';
    cursor.innerHTML = CURSOR_SVG;
    const tag = document.createElement('span');
    tag.className = 'peer-cursor-name';
    cursor.append(tag);
    this.deps.cursorLayer.append(cursor);
    this.cursors.set(clientId, cursor);
    return cursor;
  }

  private drawOutlines(): void {
    this.outlines.destroyChildren();
    const zoom = this.deps.viewport.zoom;
    for (const peer of this.peers) {
      for (const shape of this.deps.model.pick(peer.selection)) {
        const box = shapeInkBounds(shape);
        const pad = OUTLINE_PADDING / zoom;
        this.outlines.add(
          new Konva.Rect({
            x: box.x - pad,
            y: box.y - pad,
            width: box.width + 2 * pad,
            height: box.height + 2 * pad,
            stroke: peer.color,
            strokeWidth: 2 / zoom,
            dash: [6 / zoom, 3 / zoom],
            perfectDrawEnabled: false,
          }),
        );
      }
    }
    this.outlines.getLayer()?.batchDraw();
  }

  private drawAvatars(): void {
    const self = this.deps.self();
    const followed = this.deps.followedId?.() ?? null;
    const avatars = [avatarOf(self, `${self.name} (you)`)];
    avatars[0]?.classList.add('is-self');
    avatars[0]?.setAttribute('aria-label', `${self.name} (you): rename`);
    for (const peer of this.peers.slice(0, MAX_AVATARS - 1)) {
      const avatar = avatarOf(peer, titleOf(peer));
      avatar.dataset.clientId = String(peer.clientId);
      avatar.setAttribute('aria-label', `Follow ${peer.name}`);
      avatar.classList.toggle('is-followed', peer.clientId === followed);
      avatar.style.setProperty('--follow-color', peer.color);
      avatars.push(avatar);
    }
    if (this.peers.length + 1 > MAX_AVATARS) {
      const more = document.createElement('span');
      more.className = 'avatar avatar-more';
      more.textContent = `+${this.peers.length + 1 - MAX_AVATARS}`;
      avatars.push(more);
    }
    this.deps.avatars.replaceChildren(...avatars);
  }
}

/** An avatar button: initials on the person's colour. */
function avatarOf(person: { name: string; color: string }, title: string): HTMLElement {
  const avatar = document.createElement('button');
  avatar.type = 'button';
  avatar.className = 'avatar';
  avatar.textContent = initials(person.name);
  avatar.title = title;
  avatar.style.background = person.color;
  return avatar;
}

/** A peer's name, and how many shapes they have selected (their outlines show the first ones). */
function titleOf(peer: Peer): string {
  const count = peer.selectionCount;
  return count > 0 ? `${peer.name} · ${count.toLocaleString('en')} selected` : peer.name;
}

function initials(name: string): string {
  const words = name.split(' ').filter(Boolean);
  return ((words[0]?.[0] ?? '?') + (words[1]?.[0] ?? '')).toUpperCase();
}
