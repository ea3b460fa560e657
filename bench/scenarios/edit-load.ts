/**
 * The load behind relay, fan-out and many-writers: lean readers and writers in one room,
 * writers editing at a fixed rate, a measured window after warm-up, then two full clients
 * that join afterwards and must show every writer's final shape (convergence).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FullClient, waitConverged } from '../clients/full-client.ts';
import { ReceiveStats, openReader } from '../clients/lean-reader.ts';
import { closeAll, openMany } from '../clients/lean-socket.ts';
import { LeanWriter } from '../clients/lean-writer.ts';
import type { Shape } from '../../common/board/shape.ts';
import { CONVERGE_TIMEOUT_MS, JOIN_TIMEOUT_MS, OPEN_CONCURRENCY, loadTiming } from './modes.ts';
import type { ScenarioContext } from './types.ts';
import { driveLoad, type WindowHooks } from './drive-load.ts';
import type { WindowResult } from './window.ts';

export interface EditLoadOptions {
  room: string;
  readers: number;
  writers: number;
  hz: number;
  /** Watch the server's event loop over the window (EditLoadResult.loop). */
  observeLoop?: boolean;
  /** Around the measured window (drive-load.ts). */
  hooks?: WindowHooks;
}

export interface EditLoadResult extends WindowResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Markers found by readers per second: one update delivered to one reader. */
  deliveriesPerSec: number;
  /** Deliveries found / deliveries sent to readers: below 1 when updates were lost or late. */
  deliveredShare: number;
  /** Document frames each reader received per writer tick. */
  framesPerReaderTick: number;
  /** Server CPU time per delivery, in microseconds. */
  cpuUsPerDelivery: number;
  /** The kernel's part of it (system CPU: socket writes, mostly), in microseconds. */
  systemUsPerDelivery: number;
  converged: boolean;
}

/** Time to let the writers' first shapes reach everyone before warm-up starts. */
const SETTLE_MS = 100;
const FULL_CLIENTS = 2;

export async function runEditLoad(
  context: ScenarioContext,
  options: EditLoadOptions,
): Promise<EditLoadResult> {
  const { server } = context;
  const address = server.address(options.room);
  const timing = loadTiming(context.mode);
  const stats = new ReceiveStats();
  const readers = await openMany(options.readers, OPEN_CONCURRENCY, () =>
    openReader(address, stats, JOIN_TIMEOUT_MS),
  );
  const writers: LeanWriter[] = [];
  try {
    for (let index = 0; index < options.writers; index++) {
      writers.push(await LeanWriter.open(address, `w${index}`, index, JOIN_TIMEOUT_MS));
    }
    await sleep(SETTLE_MS);
    const drive = {
      server,
      stats: [stats],
      timing,
      actors: writers.length,
      hz: options.hz,
      observeLoop: options.observeLoop ?? false,
      ...(options.hooks ? { hooks: options.hooks } : {}),
    };
    const measured = await driveLoad(drive, (index) => writers[index]?.edit());

    const expected = writers
      .map((writer) => writer.expected())
      .filter((shape): shape is Shape => shape !== null);
    const converged = await checkConvergence(context, options.room, expected);
    return { ...summarize(measured, stats, options), converged };
  } finally {
    await closeAll([...writers, ...readers.map((joined) => joined.socket)]);
  }
}

function summarize(measured: WindowResult, stats: ReceiveStats, options: EditLoadOptions) {
  const seconds = measured.wallMs / 1000;
  const sentToReaders = options.writers * options.hz * seconds * options.readers;
  return {
    ...measured,
    p50Ms: stats.latency.quantile(0.5),
    p99Ms: stats.latency.quantile(0.99),
    maxMs: stats.latency.quantile(1),
    deliveriesPerSec: stats.deliveries / seconds,
    deliveredShare: sentToReaders === 0 ? 0 : stats.deliveries / sentToReaders,
    framesPerReaderTick: stats.docFrames / options.readers / (seconds * options.hz),
    cpuUsPerDelivery:
      stats.deliveries === 0 ? Number.NaN : (1000 * measured.serverCpuMs) / stats.deliveries,
    systemUsPerDelivery:
      stats.deliveries === 0 ? Number.NaN : (1000 * measured.serverSystemCpuMs) / stats.deliveries,
  };
}

async function checkConvergence(
  context: ScenarioContext,
  room: string,
  expected: Shape[],
): Promise<boolean> {
  const clients: FullClient[] = [];
  try {
    for (let index = 0; index < FULL_CLIENTS; index++) {
      clients.push(await FullClient.open(context.server.address(room), JOIN_TIMEOUT_MS));
    }
    return await waitConverged(clients, expected, CONVERGE_TIMEOUT_MS);
  } catch (error) {
    context.log(
      `convergence check failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return false;
  } finally {
    await closeAll(clients);
  }
}
