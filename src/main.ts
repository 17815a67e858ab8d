import { type AppConfig, loadConfiguration } from './config/configuration';
import { EnvironmentError } from './config/environment';
import { startTracing } from './tracing/tracing';

/**
 * Reads the configuration once, starts tracing, then loads the service. The order
 * matters: tracing patches `http`, `express`, `pg` and `ioredis` as they are first
 * required, and nothing above requires them (`./serve` and everything it imports come
 * after).
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfiguration(process.env);
  } catch (error) {
    if (error instanceof EnvironmentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  startTracing(config.app);
  // Required only now, after tracing is in place (see above).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serve } = require('./serve') as typeof import('./serve');
  await serve(config);
}

main().catch((error: unknown) => {
  console.error('The service could not start:', error);
  process.exit(1);
});
