/**
 * Follow mode: click a collaborator's avatar and your view tracks theirs (their `viewport` in
 * presence): the same board area, centred, as large as your screen allows, eased towards it on
 * every change so their pans and zooms glide rather than jump. Panning or zooming yourself (wheel,
 * pinch, hand, keys, buttons), pressing Escape, clicking their avatar again or their leaving
 * stops it. A frame in their colour around the canvas says whom you follow.
 */
import type { Bounds, Peer, Presence } from './presence.ts';
import { clampZoom } from '../render/viewport.ts';
import type { Point, Viewport } from './viewport.ts';

/** The share of the remaining distance covered per animation frame. */
const EASING = 0.3;
/** Close enough to snap: screen pixels of the centre, and a zoom ratio. */
const SNAP_PX = 0.5;
const SNAP_ZOOM = 0.002;

export interface FollowDeps {
  presence: Presence;
  viewport: Viewport;
  /** The coloured frame around the canvas, with a label inside. */
  frame: HTMLElement;
  /** Hears follow mode start and stop (the avatars show whom). */
  onChange(): void;
}

interface View {
  center: Point;
  zoom: number;
}

export class FollowMode {
  private leader: number | null = null;
  private target: View | null = null;
  private frameRequest = 0;
  /** The pan and zoom this mode last set: any other change means the person moved the view. */
  private applied: { pan: Point; zoom: number } | null = null;

  constructor(private readonly deps: FollowDeps) {
    deps.presence.onChange((peers) => this.onPeers(peers));
    deps.viewport.onChange(() => this.onViewportChange());
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.leader !== null) this.stop();
    });
  }

  /** The client id followed, or null. */
  get followedId(): number | null {
    return this.leader;
  }

  follow(peer: Peer): void {
    this.leader = peer.clientId;
    const frame = this.deps.frame;
    frame.hidden = false;
    frame.style.setProperty('--follow-color', peer.color);
    frame.dataset.following = peer.name;
    const label = frame.querySelector('.follow-label');
    if (label) label.textContent = `Following ${peer.name} · Esc to stop`;
    this.deps.onChange();
    this.onPeers(this.deps.presence.peers());
  }

  stop(): void {
    if (this.leader === null) return;
    this.leader = null;
    this.target = null;
    this.applied = null;
    cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    this.deps.frame.hidden = true;
    delete this.deps.frame.dataset.following;
    this.deps.onChange();
  }

  private onPeers(peers: Peer[]): void {
    if (this.leader === null) return;
    const leader = peers.find((peer) => peer.clientId === this.leader);
    if (!leader) return this.stop();
    if (!leader.viewport) return;
    this.target = this.viewOf(leader.viewport);
    this.frameRequest ||= requestAnimationFrame(() => this.step());
  }

  /** Their board area, centred and as large as this screen allows. */
  private viewOf(area: Bounds): View {
    const { size, limits } = this.deps.viewport;
    const zoom = clampZoom(Math.min(size.width / area.width, size.height / area.height), limits);
    return { center: { x: area.x + area.width / 2, y: area.y + area.height / 2 }, zoom };
  }

  private step(): void {
    this.frameRequest = 0;
    const target = this.target;
    if (this.leader === null || !target) return;
    const viewport = this.deps.viewport;
    const center = viewport.toBoard(viewport.center());
    const zoom = viewport.zoom * (target.zoom / viewport.zoom) ** EASING;
    const next = {
      x: center.x + (target.center.x - center.x) * EASING,
      y: center.y + (target.center.y - center.y) * EASING,
    };
    const close =
      Math.hypot(target.center.x - center.x, target.center.y - center.y) * viewport.zoom <
        SNAP_PX && Math.abs(target.zoom / viewport.zoom - 1) < SNAP_ZOOM;
    const view = close ? target : { center: next, zoom };
    this.apply(view);
    if (!close) this.frameRequest = requestAnimationFrame(() => this.step());
  }

  private apply({ center, zoom }: View): void {
    const viewport = this.deps.viewport;
    const screen = viewport.center();
    const pan = { x: screen.x - center.x * zoom, y: screen.y - center.y * zoom };
    this.applied = { pan, zoom: clampZoom(zoom, viewport.limits) };
    viewport.set(pan, zoom);
  }

  private onViewportChange(): void {
    if (this.leader === null || !this.applied) return;
    const { pan, zoom } = this.deps.viewport;
    const ours = this.applied;
    if (pan.x !== ours.pan.x || pan.y !== ours.pan.y || zoom !== ours.zoom) this.stop();
  }
}
