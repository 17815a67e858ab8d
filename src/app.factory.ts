import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { compileProxyTrust } from './config/proxy-trust';
import type { AppConfig } from './config/configuration';
import { FrontDoor } from './http/front-door';
import { ExpressHttpAdapter } from './http/express-http.adapter';
import { configureExpress } from './http/express-setup';
import { configureHttpServer, httpServerOptions } from './http/http-server';
import { isPublicRoute } from './common/auth-context/auth.decorators';
import { type RouteFacts, setUpOpenApi } from './http/openapi';
import { isRateLimitedRoute } from './rate-limit/rate-limit.guard';
import { requireJsonBody } from './http/require-json.middleware';

/** What the OpenAPI document reads from the guards' metadata. */
export const ROUTE_FACTS: RouteFacts = { isPublic: isPublicRoute, isRateLimited: isRateLimitedRoute };

/**
 * Builds the whole application, as `main.ts` serves it and as the e2e tests drive it, on
 * Express, from a configuration `loadConfiguration` has already validated.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const { http } = config;
  const door = new FrontDoor(http, compileProxyTrust(http.trustProxy));
  const adapter = new ExpressHttpAdapter(httpServerOptions(http), door);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    rawBody: true,
    // The body parsers are configureExpress's (JSON read as bytes, then parsed by our own parser).
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Stop signals are main.ts's (http/graceful-shutdown.ts): requests drain before the hooks run.
  configureHttpServer(app.getHttpServer(), http);
  door.attach(app);
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
  app.use(requireJsonBody);
  configureExpress(app, http.bodyLimitBytes);
  setUpOpenApi(app, ROUTE_FACTS);
  return app;
}
