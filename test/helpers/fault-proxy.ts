/**
 * A TCP proxy that injects network faults between a server and a service (PostgreSQL, Redis),
 * as Toxiproxy does, so the fault tests never touch the machine's services themselves.
 *
 *   cut()     closes every connection and refuses new ones (reset at once): the service is down.
 *   stall()   keeps every connection open but forwards nothing either way, and holds new ones
 *             without reaching the service: a hung service or a black-holed network.
 *   slow(ms)  forwards every chunk, both ways, ms late (in order): a service that answers slowly.
 *   restore() back to a clean link; stalled bytes flow on from where they stopped.
 */
import net from 'node:net';

type Mode = { kind: 'open' } | { kind: 'cut' } | { kind: 'stall' } | { kind: 'slow'; ms: number };

export interface FaultProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far (a reconnect shows up here). */
  readonly accepted: number;
  cut(): void;
  stall(): void;
  slow(ms: number): void;
  restore(): void;
  close(): Promise<void>;
}

/** One way of one connection: forwards chunks in order, each after the current delay. */
class Direction {
  private tail = Promise.resolve();

  constructor(
    from: net.Socket,
    private readonly to: net.Socket,
    private readonly latency: () => number,
  ) {
    from.on('data', (chunk: Buffer) => this.forward(chunk));
  }

  private forward(chunk: Buffer): void {
    const ms = this.latency();
    if (ms === 0) {
      // Behind a slow chunk still in flight, a fast one must wait its turn.
      this.tail = this.tail.then(() => void this.to.write(chunk));
      return;
    }
    this.tail = this.tail.then(
      () =>
        new Promise<void>((resolve) => setTimeout(() => resolve(void this.to.write(chunk)), ms)),
    );
  }
}

/** A client connection and, once it reaches the service, its upstream connection. */
class Link {
  private upstream: net.Socket | null = null;

  constructor(
    private readonly client: net.Socket,
    private readonly target: { host: string; port: number },
    private readonly latency: () => number,
    private readonly forget: (link: Link) => void,
  ) {
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  /** Reaches the service (when not yet) and lets bytes flow. */
  open(): void {
    if (!this.upstream) {
      const upstream = net.connect(this.target.port, this.target.host);
      this.upstream = upstream;
      upstream.on('error', () => this.destroy());
      upstream.on('close', () => this.destroy());
      new Direction(this.client, upstream, this.latency);
      new Direction(upstream, this.client, this.latency);
    }
    this.client.resume();
    this.upstream.resume();
  }

  /** Stops reading both sides: nothing is forwarded, nothing closed. */
  hold(): void {
    this.client.pause();
    this.upstream?.pause();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.forget(this);
  }

  reset(): void {
    this.client.resetAndDestroy();
    this.upstream?.destroy();
    this.forget(this);
  }
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: Mode = { kind: 'open' };
  let accepted = 0;
  const links = new Set<Link>();
  const latency = () => (mode.kind === 'slow' ? mode.ms : 0);

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    accepted++;
    const link = new Link(client, target, latency, (gone) => links.delete(gone));
    if (mode.kind === 'cut') return link.reset();
    links.add(link);
    if (mode.kind !== 'stall') link.open();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },
    cut() {
      mode = { kind: 'cut' };
      [...links].forEach((link) => link.reset());
    },
    stall() {
      mode = { kind: 'stall' };
      links.forEach((link) => link.hold());
    },
    slow(ms: number) {
      mode = { kind: 'slow', ms };
      links.forEach((link) => link.open());
    },
    restore() {
      mode = { kind: 'open' };
      links.forEach((link) => link.open());
    },
    async close() {
      [...links].forEach((link) => link.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
