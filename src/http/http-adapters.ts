import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorBody } from '../common/errors/error-body';
import { MALFORMED_URL } from '../common/http/all-exceptions.filter';
import { JSON_CONTENT_TYPE } from '../common/http/http-message';
import { parseJsonBody } from '../common/http/json-body';
import { requestIdOf } from '../common/http/request-id';
import type { AppConfig } from '../config/configuration';
import { recordRouteTemplate } from '../common/http/route-template';
import type { ExpressHttpAdapter } from './express-http.adapter';
import type { FrontDoor, RequestHandler } from './front-door';
import { httpServerOptions } from './http-server';

type HttpConfig = AppConfig['http'];

/** JSON bodies: `application/json` and the `application/*+json` family. */
const JSON_BODY_TYPES = ['application/json', 'application/*+json'];

/**
 * `HTTP_ADAPTER`: Express (the default) or Fastify. Either way node's `http.Server` is
 * ours, made with our limits and timeouts ({@link httpServerOptions}), and hands each request to the {@link FrontDoor}
 * before the framework.
 */
export function createHttpAdapter(http: HttpConfig, door: FrontDoor): ExpressHttpAdapter | FastifyAdapter {
  const serverOptions = httpServerOptions(http);
  // Each adapter's packages are required only when it is the one named: Express does not
  // load Fastify (~100 modules), nor Fastify Express.
  if (http.adapter === 'fastify') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { FastifyAdapter } = require('@nestjs/platform-fastify') as typeof import('@nestjs/platform-fastify');
    return new FastifyAdapter({
      serverFactory: (handler: RequestHandler) =>
        createServer(serverOptions, (req, res) => door.handle(req, res, handler)),
      bodyLimit: http.bodyLimitBytes,
      genReqId: (req: IncomingMessage) => requestIdOf(req),
      logger: false,
      // The router refuses a malformed path (400) or an over-long parameter (414) before
      // Nest sees the request; it gets the contract's error body all the same.
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        const status = error.statusCode ?? 400;
        const [code, message] =
          status === 400 ? [MALFORMED_URL.code, MALFORMED_URL.message] : ['URI_TOO_LONG', error.message];
        void reply
          .code(status)
          .type(JSON_CONTENT_TYPE)
          .send(errorBody(status, code, message, requestIdOf(request.raw)));
      },
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ExpressHttpAdapter } = require('./express-http.adapter') as typeof import('./express-http.adapter');
  return new ExpressHttpAdapter(serverOptions, door);
}

/**
 * What differs between the adapters once the app exists: body parsing (JSON for the API,
 * HTML forms for the storefront, both within `BODY_LIMIT`) and framework defaults.
 */
export function configureHttpAdapter(app: INestApplication, http: HttpConfig): void {
  if (http.adapter === 'fastify') {
    const fastifyApp = app as NestFastifyApplication;
    const instance = fastifyApp.getHttpAdapter().getInstance() as FastifyInstance;
    // Logs and metrics label requests by route template; Fastify keeps it on its own request.
    instance.addHook('onRequest', (request, _reply, done) => {
      recordRouteTemplate(request.raw, request.routeOptions.url);
      done();
    });
    const parser = async (req: { headers: IncomingMessage['headers'] }, body: Buffer) =>
      parseJsonBody(body, req.headers['content-type']);
    fastifyApp.useBodyParser('application/json', { bodyLimit: http.bodyLimitBytes }, parser);
    fastifyApp.useBodyParser(/^application\/[\w.+-]+\+json\s*(?:;|$)/i, { bodyLimit: http.bodyLimitBytes }, parser);
    // HTML forms: Nest's Fastify adapter parses application/x-www-form-urlencoded itself, within bodyLimit.
    return;
  }
  const expressApp = app as NestExpressApplication;
  expressApp.disable('x-powered-by');
  expressApp.set('etag', false);
  // Read as bytes (kept as the raw body), then parsed by the parser both adapters share.
  expressApp.useBodyParser('raw', { limit: http.bodyLimitBytes, type: JSON_BODY_TYPES });
  expressApp.use((req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: (error?: unknown) => void) => {
    if (!Buffer.isBuffer(req.body)) {
      next();
      return;
    }
    try {
      req.body = parseJsonBody(req.body, req.headers['content-type']);
      next();
    } catch (error) {
      next(error);
    }
  });
  // Flat fields only (`extended: false`): a form never needs nested objects.
  expressApp.useBodyParser('urlencoded', { limit: http.bodyLimitBytes, extended: false });
}

/** Ready to serve: Fastify registers its routes only on `ready()`, which `listen()` calls and tests may not. */
export async function initApp(app: INestApplication): Promise<void> {
  await app.init();
  const instance = app.getHttpAdapter().getInstance() as Partial<FastifyInstance>;
  await instance.ready?.();
}

/** Express listens on every interface by default, Fastify on loopback only. */
export function listenHost(http: HttpConfig): string | undefined {
  return http.adapter === 'fastify' ? '0.0.0.0' : undefined;
}
