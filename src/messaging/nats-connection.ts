import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { JetStreamClient, NatsConnection } from 'nats';
import { AppConfig } from '../config/configuration';

/** The client library, required on first use: without `NATS_URL` it is never loaded. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nats = () => require('nats') as typeof import('nats');

/** The stream every order event lands in; `mall.orders.<Type>` per the API contract. */
export const ORDERS_STREAM = 'MALL_ORDERS';
const ORDERS_SUBJECTS = ['mall.orders.>'];
/** A re-publish after a crash between publish and mark is dropped if it comes within this window. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;

const RECONNECT_WAIT_MS = 500;
/** Bounds every JetStream call, so a publish to an unreachable server fails instead of hanging a batch. */
const REQUEST_TIMEOUT_MS = 2_000;
/** How long start-up waits quietly before saying that NATS has not answered yet. */
const SLOW_CONNECT_NOTICE_MS = 3_000;

/**
 * The app's one NATS connection, when `NATS_URL` is set. It connects in the background,
 * so the app starts (and serves) while NATS is down, and keeps retrying forever; callers
 * ask {@link jetstream} each time and get `null` while NATS is unreachable.
 */
@Injectable()
export class NatsConnectionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Nats');
  private readonly url: string | undefined;
  private connection: NatsConnection | null = null;
  private connected = false;
  private connecting: Promise<void> | null = null;
  private stream: Promise<JetStreamClient> | null = null;
  private shuttingDown = false;

  constructor(config: ConfigService<AppConfig, true>) {
    this.url = config.get('nats', { infer: true }).url;
  }

  /** True when `NATS_URL` is set, whether or not NATS answers right now. */
  get configured(): boolean {
    return this.url !== undefined;
  }

  onModuleInit(): void {
    if (!this.url) {
      this.logger.warn('NATS_URL is not set: order events are recorded in the outbox but not published');
      return;
    }
    this.connecting = this.connectInBackground(this.url);
  }

  /**
   * A JetStream client once connected and the stream exists, else `null`. The stream is
   * (re)checked after every (re)connect: a server that lost its storage gets it back.
   */
  async jetstream(): Promise<JetStreamClient | null> {
    const connection = this.connection;
    if (!connection || !this.connected) {
      return null;
    }
    this.stream ??= this.ensureStream(connection).catch((error: unknown) => {
      this.stream = null;
      throw error;
    });
    return this.stream;
  }

  /** Resolves when NATS answers a round trip and the stream is there; rejects with the reason otherwise. */
  async ping(): Promise<void> {
    const check = async () => {
      if (!(await this.jetstream())) {
        throw new Error(this.connection ? 'disconnected, reconnecting' : 'not connected yet, retrying');
      }
      await this.connection?.rtt();
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    });
    try {
      await Promise.race([check(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Makes a first connect that is still retrying give up (see reconnectDelayHandler).
    this.shuttingDown = true;
    await this.connecting;
    const connection = this.connection;
    if (!connection || connection.isClosed()) {
      return;
    }
    // drain() flushes what is buffered, which cannot finish while the server is away.
    if (this.connected) {
      await connection.drain().catch(() => connection.close());
    } else {
      await connection.close();
    }
  }

  private async connectInBackground(url: string): Promise<void> {
    const notice = setTimeout(
      () => this.logger.warn('NATS has not answered yet; publishing waits, retrying in the background'),
      SLOW_CONNECT_NOTICE_MS,
    ).unref();
    try {
      const connection = await nats().connect({
        servers: url,
        name: 'mall-service',
        maxReconnectAttempts: -1,
        waitOnFirstConnect: true,
        timeout: REQUEST_TIMEOUT_MS,
        // Replaces reconnectTimeWait (same 500 ms, plus jitter). With waitOnFirstConnect the
        // client retries the first connect forever and offers no handle to stop it; throwing
        // here is the one way out, so a shutdown while NATS is down does not keep the process alive.
        reconnectDelayHandler: () => {
          if (this.shuttingDown) {
            throw new Error('shutting down');
          }
          return RECONNECT_WAIT_MS + Math.floor(Math.random() * 100);
        },
      });
      this.connection = connection;
      this.connected = true;
      this.logger.log(`Connected to NATS at ${connection.getServer()}`);
      void this.watch(connection);
    } catch (error) {
      if (!this.shuttingDown) {
        this.logger.error(`NATS connection failed for good: ${(error as Error).message}`);
      }
    } finally {
      clearTimeout(notice);
    }
  }

  /** Follows the connection's state; logs once per outage. */
  private async watch(connection: NatsConnection): Promise<void> {
    const { Events } = nats();
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) {
        this.connected = false;
        this.logger.warn(`Disconnected from NATS at ${String(status.data)}; reconnecting`);
      } else if (status.type === Events.Reconnect) {
        this.connected = true;
        this.stream = null;
        this.logger.log(`Reconnected to NATS at ${String(status.data)}`);
      }
    }
    this.connected = false;
  }

  /** Creates the stream if it is missing; leaves an existing one (and its operators' tuning) alone. */
  private async ensureStream(connection: NatsConnection): Promise<JetStreamClient> {
    const jsm = await connection.jetstreamManager({ timeout: REQUEST_TIMEOUT_MS });
    try {
      await jsm.streams.info(ORDERS_STREAM);
    } catch (error) {
      if (!isNotFound(error)) {
        throw error;
      }
      // Two instances may race here; JetStream accepts an identical `add` as a no-op.
      const { nanos, StorageType } = nats();
      await jsm.streams.add({
        name: ORDERS_STREAM,
        subjects: ORDERS_SUBJECTS,
        storage: StorageType.File,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
      this.logger.log(`Created JetStream stream ${ORDERS_STREAM} (${ORDERS_SUBJECTS.join(', ')})`);
    }
    return connection.jetstream({ timeout: REQUEST_TIMEOUT_MS });
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof nats().NatsError && error.api_error?.err_code === 10059; // "stream not found"
}
