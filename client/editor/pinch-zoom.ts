/**
 * Two fingers on a touch screen: spreading them zooms about their midpoint, moving them pans.
 * (Trackpad pinch arrives as Ctrl+wheel and is handled with the wheel.)
 */
import type { Point, Viewport } from './viewport.ts';

interface Span {
  mid: Point;
  distance: number;
}

export class PinchZoom {
  private readonly touches = new Map<number, Point>();
  private last: Span | null = null;

  constructor(private readonly viewport: Viewport) {}

  /** Whether two fingers are down (single-finger gestures should stand aside). */
  get active(): boolean {
    return this.touches.size >= 2;
  }

  down(pointerId: number, screen: Point): void {
    this.touches.set(pointerId, screen);
    if (this.touches.size === 2) this.last = this.span();
  }

  /** Follows a finger; returns whether it belonged to a pinch. */
  move(pointerId: number, screen: Point): boolean {
    if (!this.touches.has(pointerId)) return false;
    this.touches.set(pointerId, screen);
    if (!this.active || !this.last) return false;
    const now = this.span();
    if (this.last.distance > 0) this.viewport.zoomAt(now.mid, now.distance / this.last.distance);
    this.viewport.panBy(now.mid.x - this.last.mid.x, now.mid.y - this.last.mid.y);
    this.last = now;
    return true;
  }

  up(pointerId: number): void {
    this.touches.delete(pointerId);
    if (!this.active) this.last = null;
  }

  private span(): Span {
    const [a, b] = [...this.touches.values()] as [Point, Point];
    return {
      mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
      distance: Math.hypot(a.x - b.x, a.y - b.y),
    };
  }
}
