import { EventEmitter } from 'node:events';
import { dataSourceOptions } from './data-source-options';

describe('dataSourceOptions', () => {
  const database = {
    url: 'postgres://postgres@127.0.0.1:5432/mall',
    embedded: false,
    dataDir: '.data',
    poolMax: 10,
    poolIdleMs: 10_000,
    connMaxLifetimeS: 1_800,
    acquireTimeoutMs: 5_000,
    listStatementTimeoutMs: 2_000,
    migrationsRun: true,
  };

  it('gives every new pooled connection an error listener, so a session ended early cannot crash the process', async () => {
    const { onConnect } = (dataSourceOptions(database) as { extra: { onConnect: (client: EventEmitter) => unknown } })
      .extra;
    const client = new EventEmitter();
    await onConnect(client);
    expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
  });
});
