import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { requestIdMiddleware } from './common/http/request-id';
import { buildConfiguration } from './config/configuration';
import { validateEnvironment } from './config/environment';
import { ExpressHttpAdapter } from './http/express-http.adapter';
import { configureHttpServer } from './http/http-server';
import { setUpOpenApi } from './http/openapi';
import { requireJsonBody } from './http/require-json.middleware';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';

/**
 * Builds the whole application, as `main.ts` serves it and as the e2e tests drive it.
 * Configuration comes from `process.env`; it is validated before anything starts.
 */
export async function createApp(): Promise<NestExpressApplication> {
  const { http } = buildConfiguration(validateEnvironment(process.env));
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule,
    new ExpressHttpAdapter({ maxHeaderSize: http.maxHeaderBytes }),
    { bufferLogs: true, rawBody: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  // SIGTERM: stop accepting, finish in-flight work, close pools, then exit 0 (not 143).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  configureHttpServer(app.getHttpServer(), http);

  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: http.bodyLimit, type: ['application/json', 'application/*+json'] });
  setUpOpenApi(app);
  return app;
}
