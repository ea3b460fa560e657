/**
 * Scale-out under faults: three instances, each reaching PostgreSQL and Redis through its own
 * fault proxy (test/helpers/fault-proxy.ts). Redis closed, Redis hung without closing, one
 * instance cut off from Redis, PostgreSQL closed, hung and slow: the machine's services are
 * never stopped, and each test checks that they still answer directly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import {
  PG_HOST,
  PG_PORT,
  REDIS_HOST,
  REDIS_PORT,
  REDIS_URL,
  assertServicesUp,
  createTestDatabase,
  randomChannelPrefix,
  servicesRequired,
  servicesUnavailable,
  throughPort,
  type TestDatabase,
} from '../helpers/services.ts';
import { rect } from '../helpers/shapes.ts';
import { spawnServerProcess, tempDataDir, type ServerProcess } from '../helpers/test-server.ts';

const unavailable = await servicesUnavailable();
if (unavailable) console.log(`scale-out-faults.test.ts ${unavailable}`);

/** Short, so a hung service is noticed well within each test's waits. */
const REDIS_TIMEOUT_MS = 1_000;
const DATABASE_TIMEOUT_MS = 1_500;

const ids = (client: StockClient) =>
  readShapes(client.doc)
    .map((shape) => shape.id)
    .sort();
const newBoard = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

interface Instance {
  server: ServerProcess;
  postgres: FaultProxy;
  redis: FaultProxy;
}

async function health(instance: Instance): Promise<string> {
  return (await fetch(`${instance.server.url}/healthz`)).text();
}

async function dependencyUp(instance: Instance, dependency: string): Promise<number> {
  const metrics = await (await fetch(`${instance.server.url}/metrics`)).text();
  return metricValue(metrics, `boardcast_dependency_up{dependency="${dependency}"}`);
}

function closeCode(client: StockClient): Promise<number> {
  return new Promise((resolve) =>
    client.provider.once('connection-close', (event: { code: number } | null) =>
      resolve(event?.code ?? 0),
    ),
  );
}

describe(
  'several instances through fault proxies to PostgreSQL and Redis',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let database: TestDatabase;
    let instances: Instance[] = [];
    const clients: StockClient[] = [];
    const connect = (n: 1 | 2 | 3, board: string) => {
      const client = connectStockClient(instance(n).server.wsUrl, board);
      clients.push(client);
      return client;
    };
    const instance = (n: 1 | 2 | 3) => instances[n - 1] as Instance;
    const everyRedis = (fault: (proxy: FaultProxy) => void) =>
      instances.forEach((each) => fault(each.redis));
    const everyPostgres = (fault: (proxy: FaultProxy) => void) =>
      instances.forEach((each) => fault(each.postgres));

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      database = await createTestDatabase();
      const prefix = randomChannelPrefix();
      instances = await Promise.all(
        [1, 2, 3].map(async () => {
          const postgres = await startFaultProxy({ host: PG_HOST, port: PG_PORT });
          const redis = await startFaultProxy({ host: REDIS_HOST, port: REDIS_PORT });
          const server = await spawnServerProcess(tempDataDir(), {
            DATABASE_URL: throughPort(database.url, postgres.port),
            REDIS_URL: throughPort(REDIS_URL, redis.port),
            REDIS_CHANNEL_PREFIX: prefix,
            REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
            DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS),
            LOG_LEVEL: process.env.SCALE_DEBUG ? 'debug' : 'warn',
          });
          return { server, postgres, redis };
        }),
      );
      await waitFor(
        async () => (await Promise.all(instances.map(health))).every((body) => body === 'ok'),
        10_000,
        'every instance healthy',
      );
    });
    afterEach(async () => {
      instances.forEach((each) => [each.redis, each.postgres].forEach((p) => p.restore()));
      await assertServicesUp(); // the faults were the proxies', never the services'
      await waitFor(
        async () => (await Promise.all(instances.map(health))).every((body) => body === 'ok'),
        15_000,
        'every instance healthy again',
      );
    });
    after(async () => {
      clients.forEach((client) => client.destroy());
      if (process.env.SCALE_DEBUG)
        instances.forEach((each, i) =>
          console.log(`--- instance ${i + 1}\n${each.server.output()}`),
        );
      for (const each of instances) each.server.child.kill('SIGKILL');
      await Promise.all(instances.map((each) => each.server.exited));
      await Promise.all(instances.flatMap((each) => [each.redis.close(), each.postgres.close()]));
      await database?.drop();
    });

    it("keeps serving each instance's own peers while Redis is unreachable, and converges every instance after", async () => {
      const board = newBoard('redis-cut');
      const [one, two, twoBis] = [connect(1, board), connect(2, board), connect(2, board)];
      await Promise.all([one.synced, two.synced, twoBis.synced]);
      addShapes(one.doc, [rect('before')]);
      await waitFor(() => ids(two).includes('before'), 5_000, 'a relay before the fault');

      everyRedis((proxy) => proxy.cut());
      await waitFor(
        async () => (await health(instance(1))) === 'degraded: redis down',
        5_000,
        '/healthz to name Redis',
      );
      assert.equal(await dependencyUp(instance(1), 'redis'), 0);
      await assertServicesUp();
      addShapes(one.doc, [rect('during-on-1')]);
      addShapes(two.doc, [rect('during-on-2')]);
      await waitFor(
        () => ids(twoBis).includes('during-on-2'),
        5_000,
        'a peer on the same instance to be served',
      );
      assert.ok(!ids(two).includes('during-on-1'), 'relayed across instances without Redis?');

      everyRedis((proxy) => proxy.restore());
      const all = ['before', 'during-on-1', 'during-on-2'];
      await waitFor(
        () => [one, two, twoBis].every((client) => ids(client).join() === all.join()),
        10_000,
        'every instance to converge',
      );
      await waitFor(async () => (await health(instance(1))) === 'ok', 5_000, '/healthz back to ok');
      assert.equal(await dependencyUp(instance(1), 'redis'), 1);
    });

    it('notices a Redis that hangs without closing (REDIS_TIMEOUT_MS), serves local peers, and recovers when it answers again', async () => {
      const board = newBoard('redis-stall');
      const [one, oneBis, three] = [connect(1, board), connect(1, board), connect(3, board)];
      await Promise.all([one.synced, oneBis.synced, three.synced]);
      addShapes(three.doc, [rect('before')]);
      await waitFor(() => ids(one).includes('before'), 5_000, 'a relay before the fault');
      const dialled = instance(1).redis.accepted;

      everyRedis((proxy) => proxy.stall());
      await waitFor(
        async () =>
          (await health(instance(1))) === 'degraded: redis down' &&
          (await health(instance(3))) === 'degraded: redis down',
        REDIS_TIMEOUT_MS * 5, // noticed within a few REDIS_TIMEOUT_MS, or this fails
        '/healthz to name the hung Redis',
      );
      await waitFor(
        () => instance(1).redis.accepted > dialled,
        5_000,
        'the hung connections to be dropped and redialled',
      );
      addShapes(one.doc, [rect('during-on-1')]);
      addShapes(three.doc, [rect('during-on-3')]);
      await waitFor(() => ids(oneBis).includes('during-on-1'), 5_000, 'a local peer served');
      await delay(200);
      assert.ok(!ids(three).includes('during-on-1'));

      everyRedis((proxy) => proxy.restore());
      const all = ['before', 'during-on-1', 'during-on-3'];
      await waitFor(
        () => [one, oneBis, three].every((client) => ids(client).join() === all.join()),
        10_000,
        'every instance to converge',
      );
    });

    it('keeps the other instances relaying to each other while one is cut off from Redis, then catches it up', async () => {
      const board = newBoard('redis-partition');
      const [one, two, three] = [connect(1, board), connect(2, board), connect(3, board)];
      await Promise.all([one.synced, two.synced, three.synced]);

      instance(1).redis.stall();
      await waitFor(
        async () => (await health(instance(1))) === 'degraded: redis down',
        REDIS_TIMEOUT_MS * 5,
        'instance 1 to notice',
      );
      assert.equal(await health(instance(2)), 'ok');
      addShapes(two.doc, [rect('from-2')]);
      addShapes(one.doc, [rect('from-1')]);
      await waitFor(() => ids(three).includes('from-2'), 5_000, 'instance 2 relaying to 3');
      assert.ok(!ids(one).includes('from-2') && !ids(three).includes('from-1'));

      instance(1).redis.restore();
      await waitFor(
        () => [one, two, three].every((client) => ids(client).join() === 'from-1,from-2'),
        10_000,
        'instance 1 caught up both ways',
      );
    });

    it('refuses updates with 1013 while PostgreSQL is unreachable, relays none, keeps reads working and loses no acknowledged update', async () => {
      const board = newBoard('pg-cut');
      const [writer, reader] = [connect(2, board), connect(3, board)];
      await Promise.all([writer.synced, reader.synced]);
      addShapes(writer.doc, [rect('acknowledged')]);
      await waitFor(() => ids(reader).includes('acknowledged'), 5_000, 'the first relay');

      everyPostgres((proxy) => proxy.cut());
      await waitFor(
        async () => (await health(instance(2))) === 'degraded: postgres down',
        5_000,
        '/healthz to name PostgreSQL',
      );
      assert.equal(await dependencyUp(instance(2), 'postgres'), 0);
      await assertServicesUp();
      const refused = closeCode(writer);
      addShapes(writer.doc, [rect('during-outage')]);
      assert.equal(await refused, CLOSE.TRY_AGAIN_LATER.code);
      const lateReader = connect(3, board); // a loaded board is still served without the database
      await lateReader.synced;
      await delay(300);
      assert.deepEqual(ids(reader), ['acknowledged']);
      assert.deepEqual(ids(lateReader), ['acknowledged']);

      everyPostgres((proxy) => proxy.restore());
      const fresh = connect(1, board); // instance 1 loads the board from PostgreSQL
      await fresh.synced;
      assert.ok(ids(fresh).includes('acknowledged'), 'the acknowledged update was lost');
      // The writer's client kept the refused update and sends it again once storage accepts writes.
      await waitFor(
        () => ids(reader).includes('during-outage') && ids(fresh).includes('during-outage'),
        15_000,
        'the refused update, resent',
      );
    });

    it('refuses updates with 1013 within DATABASE_TIMEOUT_MS while PostgreSQL hangs without closing, and takes them once it answers', async () => {
      const board = newBoard('pg-stall');
      const [writer, reader] = [connect(1, board), connect(2, board)];
      await Promise.all([writer.synced, reader.synced]);

      everyPostgres((proxy) => proxy.stall());
      const refused = closeCode(writer);
      const sentAt = Date.now();
      addShapes(writer.doc, [rect('while-hung')]);
      assert.equal(await refused, CLOSE.TRY_AGAIN_LATER.code);
      const refusedAfterMs = Date.now() - sentAt;
      assert.ok(
        refusedAfterMs >= DATABASE_TIMEOUT_MS - 100 && refusedAfterMs < DATABASE_TIMEOUT_MS * 4,
        `refused after ${refusedAfterMs} ms`,
      );
      await waitFor(
        async () => (await health(instance(1))) === 'degraded: postgres down',
        DATABASE_TIMEOUT_MS * 4,
        '/healthz to name the hung PostgreSQL',
      );
      assert.deepEqual(ids(reader), [], 'an update was relayed before it was stored');

      everyPostgres((proxy) => proxy.restore());
      await waitFor(
        () => ids(reader).includes('while-hung'),
        15_000,
        'the refused update, resent and relayed',
      );
    });

    it('keeps working, refusing nothing, with a PostgreSQL that answers slowly', async () => {
      const board = newBoard('pg-slow');
      const [writer, reader] = [connect(3, board), connect(1, board)];
      await Promise.all([writer.synced, reader.synced]);
      const LATENCY_MS = 150;

      everyPostgres((proxy) => proxy.slow(LATENCY_MS));
      let closed = false;
      writer.provider.on('connection-close', () => (closed = true));
      for (let i = 0; i < 5; i++) {
        const sentAt = Date.now();
        addShapes(writer.doc, [rect(`slow-${i}`, i * 10)]);
        await waitFor(() => ids(reader).includes(`slow-${i}`), 10_000, `slow-${i} relayed`);
        // Stored before relayed: at least one round trip to the slowed database.
        assert.ok(Date.now() - sentAt >= 2 * LATENCY_MS, 'relayed before the slow commit');
      }
      assert.equal(closed, false, 'the writer was closed');
      assert.equal(await health(instance(3)), 'ok');

      everyPostgres((proxy) => proxy.restore());
      const fresh = connect(2, board);
      await fresh.synced;
      assert.equal(ids(fresh).length, 5);
    });
  },
);
