import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
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
  // Stop signals are main.ts's (http/graceful-shutdown.ts): requests drain before the hooks run.
  configureHttpServer(app.getHttpServer(), http);

  app.disable('x-powered-by');
  // req.ip is the client behind a proxy on a private network (nginx in the compose profile),
  // while a client on a public address cannot forge it with X-Forwarded-For.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.set('etag', false);
  app.use(requestIdMiddleware);
  // Security headers. JSON responses load nothing, so their CSP allows nothing; Swagger UI
  // needs its own scripts and inline styles, and no https upgrade on a plain-http dev host.
  const apiHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  const docsHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  app.use((req: Request, res: Response, next: NextFunction) =>
    (req.path.startsWith('/docs') ? docsHeaders : apiHeaders)(req, res, next),
  );
  if (http.corsOrigins.length > 0) {
    app.enableCors({
      origin: http.corsOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: [
        'X-Request-Id',
        'Location',
        'Idempotent-Replayed',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
      maxAge: 600,
    });
  }
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: http.bodyLimit, type: ['application/json', 'application/*+json'] });
  setUpOpenApi(app);
  return app;
}
