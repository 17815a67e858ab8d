import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { shutdownTracing } from './tracing';

/**
 * Flushes buffered spans when the app closes: the SIGTERM path ends in `process.exit`,
 * which would drop whatever the batch processor has not sent yet.
 */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTracing();
  }
}

@Module({ providers: [TracingShutdown] })
export class TracingModule {}
