import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import { createApp } from './app.factory';
import { runPrimary } from './cluster';
import type { AppConfig } from './config/configuration';
import { enableGracefulShutdown } from './http/graceful-shutdown';

/** Serves `config` on its port: in this process, or as a cluster primary forking `WORKERS` workers. */
export async function serve(config: AppConfig): Promise<void> {
  const { port } = config.http;
  if (config.app.workers > 1 && cluster.isPrimary) {
    runPrimary(config.app.workers);
    return;
  }
  const app = await createApp(config);
  // Before listen, which also runs the migrations: a stop signal then still closes cleanly.
  enableGracefulShutdown(app);
  await app.listen(port);
  // The pid tells a cluster's workers apart in the logs (every request line carries it too).
  new Logger('Main').log(`Listening on port ${port} (pid ${process.pid}${cluster.isWorker ? ', a worker' : ''})`);
}
