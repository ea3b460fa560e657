/**
 * The laser pointer (K): a short trail of board points that follows the pointer while pressed
 * and fades out within LASER_TRAIL_MS. It is never written to the board: the trail goes out in
 * presence (`laser`, at the cursor's pace) and is drawn, here and on every other screen, in the
 * person's colour (LaserView).
 */
import Konva from 'konva';
import type { Point } from './viewport.ts';

/** How long a point of the trail lives. */
export const LASER_TRAIL_MS = 700;
/** Points kept at most (the presence state stays small). */
export const LASER_MAX_POINTS = 32;
/** How often a fading trail is trimmed and sent again. */
const LASER_TICK_MS = 33;
/** A peer's trail not refreshed for this long is dropped (their last update was lost). */
const PEER_TRAIL_STALE_MS = 1_500;

export class LaserTrail {
  private points: { x: number; y: number; at: number }[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly listeners = new Set<(points: number[]) => void>();
  /** While the pointer is pressed, its newest point stays lit (the dot does not fade). */
  private holding = false;

  /** The pointer is pressed (true) or released: a held dot stays, a released one fades. */
  hold(holding: boolean): void {
    this.holding = holding;
  }

  add(point: Point): void {
    this.points.push({ x: point.x, y: point.y, at: performance.now() });
    if (this.points.length > LASER_MAX_POINTS) this.points.shift();
    this.timer ??= setInterval(() => this.tick(), LASER_TICK_MS);
    this.emit();
  }

  /** The trail as flat board points, oldest first. */
  flat(): number[] {
    return this.points.flatMap((point) => [point.x, point.y]);
  }

  /** Hears every change of the trail (new points, and points fading out). */
  onChange(listener: (points: number[]) => void): void {
    this.listeners.add(listener);
  }

  private tick(): void {
    const oldest = performance.now() - LASER_TRAIL_MS;
    const before = this.points.length;
    const newest = this.points[this.points.length - 1];
    this.points = this.points.filter((point) => point.at >= oldest);
    if (this.holding && newest && this.points.length === 0) this.points = [newest];
    if (this.points.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.points.length !== before) this.emit(); // a held, still dot sends nothing new
  }

  private emit(): void {
    const flat = this.flat();
    for (const listener of this.listeners) listener(flat);
  }
}

/** Draws laser trails on the overlay: one's own and each peer's, fading towards the tail. */
export class LaserView {
  private readonly group = new Konva.Group({ listening: false, name: 'laser' });
  private readonly trails = new Map<string, { points: number[]; color: string; at: number }>();

  constructor(
    overlay: Konva.Layer,
    private readonly zoom: () => number,
  ) {
    overlay.add(this.group);
  }

  /** Sets the trail under `key` (empty: none); `draw` shows it. */
  set(key: string, points: readonly number[], color: string): void {
    if (points.length >= 2) this.trails.set(key, { points: [...points], color, at: Date.now() });
    else this.trails.delete(key);
  }

  /** Keeps only the trails whose keys are in `keys` (the others' owners left). */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.trails.keys()) if (!keys.has(key)) this.trails.delete(key);
  }

  draw(): void {
    this.group.destroyChildren();
    const width = 4 / this.zoom();
    const stale = Date.now() - PEER_TRAIL_STALE_MS;
    for (const [key, trail] of this.trails) {
      if (key !== 'self' && trail.at < stale) {
        this.trails.delete(key);
        continue;
      }
      this.drawTrail(trail.points, trail.color, width);
    }
    this.group.getLayer()?.batchDraw();
  }

  private drawTrail(points: readonly number[], color: string, width: number): void {
    const count = points.length / 2;
    for (let i = 1; i < count; i++) {
      this.group.add(
        new Konva.Line({
          points: points.slice(2 * (i - 1), 2 * (i + 1)),
          stroke: color,
          strokeWidth: width * (0.4 + (0.6 * i) / count),
          opacity: i / count,
          lineCap: 'round',
          perfectDrawEnabled: false,
          listening: false,
        }),
      );
    }
    const headX = points[points.length - 2] ?? 0;
    const headY = points[points.length - 1] ?? 0;
    this.group.add(
      new Konva.Circle({
        x: headX,
        y: headY,
        radius: width,
        fill: color,
        shadowColor: color,
        shadowBlur: 12,
        shadowOpacity: 0.9,
        listening: false,
        name: 'laser-head',
      }),
    );
  }
}
