// First, before anything loads http, express, pg or ioredis: tracing patches them as they load.
import './tracing/register';
import cluster from 'node:cluster';
import { createApp } from './app.factory';
import { EnvironmentError, validateEnvironment } from './config/environment';
import { runPrimary } from './cluster';

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
  await app.listen(env.PORT);
}

main().catch((error: unknown) => {
  console.error('The service could not start:', error);
  process.exit(1);
});
