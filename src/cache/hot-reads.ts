import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { pathOf, writeJson } from '../common/http/http-message';
import { recordRouteTemplate } from '../common/http/route-template';
import { RateLimiter, recordRateDecision } from '../rate-limit/rate-limiter';
import { CacheService } from './cache.service';
import type { CachedOptions } from './cached.options';

interface Hit {
  template: string;
  json: string;
}

interface LearnedRoute {
  template: string;
  pattern: RegExp;
  paramNames: string[];
  options: CachedOptions;
}

/** `/v1/products/:id` → a pattern capturing each parameter from one path segment. */
function compile(template: string, options: CachedOptions): LearnedRoute {
  const paramNames: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        paramNames.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { template, pattern: new RegExp(`^${source}$`), paramNames, options };
}

/**
 * Answers repeated reads of public `@Cached` routes straight from this instance's
 * in-process cache (L1, ≈ 100 ms), before the framework sees them: the JSON text is
 * already there, so guards, pipes and handler would only reproduce it.
 *
 * The first request for a key always goes the whole way (guards, validation, handler,
 * {@link CacheInterceptor}), which both fills L1 and teaches this class the route. An
 * entry holds what the route's handler answers for that key (a service reading the same
 * namespace stores the same JSON), so a repeat gets the same bytes and headers here.
 * Everything this cannot do alike goes to the framework: other methods, a bearer token
 * (its user counts for rate limits and logs), CORS requests, an entry the route's
 * options refuse or hide from an anonymous caller (the framework then answers why),
 * anything not in L1 now. Request id, security headers, metrics and the access line are
 * the front door's (`http/front-door.ts`), as for every request; the rate limit is applied here the
 * same way as in the framework.
 */
@Injectable()
export class HotReads {
  private readonly routes = new Map<string, LearnedRoute>();

  constructor(
    private readonly cache: CacheService,
    private readonly limiter: RateLimiter,
  ) {}

  learn(template: string, options: CachedOptions): void {
    if (!this.routes.has(template)) {
      this.routes.set(template, compile(template, options));
    }
  }

  /** Answers `req` if this instance holds its answer now; otherwise hands it on to `next`. */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const hit = this.eligible(req) ? this.lookup(req) : undefined;
    if (!hit) {
      next();
      return;
    }
    recordRouteTemplate(req, hit.template);
    if (!this.limiter.enabled()) {
      this.answer(res, hit);
      return;
    }
    this.limiter.consume(this.limiter.clientKeyOf(req, undefined)).then(
      (decision) => {
        if (decision && !decision.allowed) {
          // The guard answers the 429, without counting the request again.
          recordRateDecision(req, decision);
          next();
          return;
        }
        for (const [name, value] of Object.entries(decision?.headers ?? {})) {
          res.setHeader(name, value);
        }
        this.answer(res, hit);
      },
      () => next(),
    );
  }

  private eligible(req: IncomingMessage): boolean {
    return (
      this.routes.size > 0 &&
      req.method === 'GET' &&
      req.headers.authorization === undefined &&
      req.headers.origin === undefined
    );
  }

  private lookup(req: IncomingMessage): Hit | undefined {
    const url = req.url ?? '/';
    const path = pathOf(url);
    for (const route of this.routes.values()) {
      const match = route.pattern.exec(path);
      if (!match) {
        continue;
      }
      const params: Record<string, string> = {};
      try {
        route.paramNames.forEach((name, index) => {
          params[name] = decodeURIComponent(match[index + 1]);
        });
      } catch {
        return undefined;
      }
      const query = path.length === url.length ? {} : parseQuery(url.slice(path.length + 1));
      const reader = { params, query, raw: req };
      const { options } = route;
      if (options.refuse?.(reader)) {
        return undefined;
      }
      const json = this.cache.peekJson(options.namespace, options.id(reader));
      // Whatever this caller may not see, the framework answers (and says why).
      return typeof json === 'string' && !options.hides?.(json, reader)
        ? { template: route.template, json }
        : undefined;
    }
    return undefined;
  }

  private answer(res: ServerResponse, hit: Hit): void {
    writeJson(res, 200, hit.json);
  }
}
