// First, before anything loads http, express, pg or ioredis: tracing patches them as they load.
import './tracing/register';
import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import { createApp } from './app.factory';
import { buildConfiguration } from './config/configuration';
import { EnvironmentError, validateEnvironment } from './config/environment';
import { runPrimary } from './cluster';
import { enableGracefulShutdown } from './http/graceful-shutdown';
import { listenHost } from './http/http-adapters';

async function main(): Promise<void> {
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    if (error instanceof EnvironmentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (env.WORKERS > 1 && cluster.isPrimary) {
    runPrimary(env.WORKERS);
    return;
  }
  const app = await createApp();
  // Before listen, which also runs the migrations: a stop signal then still closes cleanly.
  enableGracefulShutdown(app);
  const host = listenHost(buildConfiguration(env).http);
  await (host ? app.listen(env.PORT, host) : app.listen(env.PORT));
  // The pid tells a cluster's workers apart in the logs (every request line carries it too).
  new Logger('Main').log(`Listening on port ${env.PORT} (pid ${process.pid}${cluster.isWorker ? ', a worker' : ''})`);
}

main().catch((error: unknown) => {
  console.error('The service could not start:', error);
  process.exit(1);
});
