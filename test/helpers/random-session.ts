/**
 * A seeded random editing session for the sync tests: what several people do to one board with
 * stock y-websocket clients, as the editor would and worse. Every step is drawn from one seeded
 * generator, so a failing seed replays the same session (timing aside).
 */
import * as Y from 'yjs';
import { getShapesMap } from '../../common/board/board-doc.ts';
import type { StockClient } from './clients.ts';

/** mulberry32: small, fast, and plenty for choosing test steps. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SessionClient {
  name: string;
  client: StockClient;
  undo: Y.UndoManager;
  /** Close codes the server sent this client. */
  closes: number[];
}

const BOX_TYPES = ['rect', 'ellipse', 'text', 'sticky'] as const;
const POINT_TYPES = ['line', 'arrow', 'pen'] as const;
const COLORS = ['#1e1e1e', '#e03131', '#2f9e44', 'transparent', '#a5d8ff'];

/** Bad values a buggy or careless client may write; the server repairs each. */
const BAD_VALUES: Array<[string, () => unknown]> = [
  ['fontSize', () => 5_000],
  ['text', () => 'x'.repeat(20_000)],
  ['x', () => Number.NaN],
  ['y', () => Number.POSITIVE_INFINITY],
  ['width', () => 5e9],
  ['opacity', () => 7],
  ['strokeWidth', () => -3],
  ['stroke', () => 'not a colour!'],
  ['points', () => [0, 0, 1e9, Number.NaN, 3]],
  ['rotation', () => 'ninety'],
];

export class RandomSession {
  private counter = 0;

  constructor(
    private readonly random: () => number,
    readonly clients: SessionClient[],
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private ids(doc: Y.Doc): string[] {
    return [...getShapesMap(doc).keys()].sort();
  }

  private shape(doc: Y.Doc): Y.Map<unknown> | null {
    const ids = this.ids(doc);
    if (ids.length === 0) return null;
    const value = getShapesMap(doc).get(this.pick(ids));
    return value instanceof Y.Map ? (value as Y.Map<unknown>) : null;
  }

  private newFields(): Record<string, unknown> {
    const point = this.random() < 0.3;
    const type = point ? this.pick(POINT_TYPES) : this.pick(BOX_TYPES);
    const fields: Record<string, unknown> = {
      type,
      x: this.int(-500, 1_500),
      y: this.int(-500, 1_000),
      stroke: this.pick(COLORS),
      strokeWidth: this.int(1, 8),
      z: this.int(0, 50),
    };
    if (point) {
      fields.points = Array.from({ length: 2 * this.int(1, 6) }, () => this.int(-200, 200));
    } else {
      fields.width = this.int(10, 300);
      fields.height = this.int(10, 300);
      if (type === 'text' || type === 'sticky') fields.text = `note ${this.counter}`;
    }
    return fields;
  }

  /** Adds one to three shapes in one transaction. */
  add(doc: Y.Doc, name: string): void {
    doc.transact(() => {
      for (let i = this.int(1, 3); i > 0; i--) {
        const map = new Y.Map<unknown>();
        for (const [field, value] of Object.entries(this.newFields())) map.set(field, value);
        getShapesMap(doc).set(`${name}-${this.counter++}`, map);
      }
    });
  }

  /** A shape created one field at a time, as a slow third-party client would. */
  async addFieldByField(doc: Y.Doc, name: string): Promise<void> {
    const id = `${name}-slow-${this.counter++}`;
    getShapesMap(doc).set(id, new Y.Map());
    for (const [field, value] of Object.entries(this.newFields())) {
      await new Promise((resolve) => setTimeout(resolve, this.int(0, 15)));
      const map = getShapesMap(doc).get(id);
      if (map instanceof Y.Map) map.set(field, value);
    }
  }

  edit(doc: Y.Doc): void {
    const shape = this.shape(doc);
    if (!shape) return;
    const roll = this.random();
    if (roll < 0.35) {
      shape.set('x', this.int(-800, 2_000) + this.random());
      shape.set('y', this.int(-800, 2_000));
    } else if (roll < 0.55) {
      shape.set('stroke', this.pick(COLORS));
      shape.set('fill', this.pick(COLORS));
      shape.set('opacity', Math.round(this.random() * 100) / 100);
      shape.set('strokeStyle', this.pick(['solid', 'dashed', 'dotted']));
    } else if (roll < 0.7) {
      shape.set('text', `edited ${this.counter++} ${'·'.repeat(this.int(0, 40))}`);
      shape.set('fontSize', this.int(8, 120));
    } else if (roll < 0.85) {
      shape.set(
        'points',
        Array.from({ length: 2 * this.int(1, 8) }, () => this.int(-300, 300)),
      );
    } else {
      shape.set('width', this.int(1, 600));
      shape.set('height', this.int(1, 600));
    }
  }

  /** Moves several shapes in one transaction (a drag of a selection). */
  moveMany(doc: Y.Doc): void {
    const ids = this.ids(doc);
    doc.transact(() => {
      for (let i = this.int(2, 6); i > 0 && ids.length > 0; i--) {
        const shape = getShapesMap(doc).get(this.pick(ids));
        if (shape instanceof Y.Map) shape.set('x', this.int(-1_000, 1_000));
      }
    });
  }

  remove(doc: Y.Doc): void {
    const ids = this.ids(doc);
    doc.transact(() => {
      for (let i = this.int(1, 2); i > 0 && ids.length > 0; i--)
        getShapesMap(doc).delete(this.pick(ids));
    });
  }

  bad(doc: Y.Doc): void {
    const shape = this.shape(doc);
    if (!shape) return;
    const [field, value] = this.pick(BAD_VALUES);
    shape.set(field, value());
  }

  /** One random step by `who`. */
  async step(who: SessionClient): Promise<void> {
    const { doc } = who.client;
    const roll = this.random();
    if (roll < 0.22) this.add(doc, who.name);
    else if (roll < 0.5) this.edit(doc);
    else if (roll < 0.58) this.moveMany(doc);
    else if (roll < 0.65) this.remove(doc);
    else if (roll < 0.72) who.undo.undo();
    else if (roll < 0.77) who.undo.redo();
    else if (roll < 0.84) this.bad(doc);
    else if (roll < 0.88) await this.addFieldByField(doc, who.name);
    else if (roll < 0.94) await this.offlineStretch(who);
    else this.edit(doc);
  }

  /**
   * Disconnects, edits offline, reconnects and edits again the moment the socket opens, before
   * the client's own sync step 2 (so the server sees an update that builds on unsent ones).
   */
  async offlineStretch(who: SessionClient): Promise<void> {
    const { provider, doc } = who.client;
    provider.disconnect();
    for (let i = this.int(1, 4); i > 0; i--) {
      if (this.random() < 0.5) this.add(doc, who.name);
      else this.edit(doc);
      await new Promise((resolve) => setTimeout(resolve, this.int(0, 20)));
    }
    const opened = new Promise<void>((resolve) => {
      const onStatus = ({ status }: { status: string }) => {
        if (status !== 'connected') return;
        provider.off('status', onStatus);
        this.edit(doc); // in the first milliseconds: before our sync step 2 went out
        if (this.random() < 0.5) this.add(doc, who.name);
        resolve();
      };
      provider.on('status', onStatus);
    });
    provider.connect();
    await Promise.race([
      opened,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`${who.name} did not reconnect within 10 s`)),
          10_000,
        ).unref(),
      ),
    ]);
  }
}
