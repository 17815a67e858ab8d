import { Injectable } from '@nestjs/common';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { recordRouteTemplate, routeTemplateOf } from '../common/http/route-template';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { CacheService, type CacheEntry } from './cache.service';

/** Exact request targets remembered at most; past it the oldest are forgotten first. */
export const MAX_ENTRIES = 5_000;
/** Targets remembered as offered once (their text only); past it the oldest are forgotten first. */
export const MAX_OFFERED = 4 * MAX_ENTRIES;
/**
 * Heap bytes of stored answers held at most: their bodies and the targets they are kept under. A body is L1's own string when stored, but L1 refills
 * with new strings, so the stored copies may come to be the only ones: bounded, they cannot
 * crowd the heap (distinct 1 MB list pages would otherwise reach gigabytes). Counted as V8
 * holds them ({@link heapBytesOf}), not as sent: one Chinese name makes a whole page a
 * two-byte string, twice its length in the heap, while UTF-8 counts most of it once.
 */
export const MAX_BYTES = 16 * 1024 * 1024;
/** Heap bytes of the targets remembered as offered once, at most (a target is a key too). */
export const MAX_OFFERED_BYTES = MAX_BYTES / 8;
/** A larger answer is left to the pipeline each time: storing it would evict dozens of others. */
export const MAX_BODY_BYTES = MAX_BYTES / 16;

/** Headers that belong to one answer, never to the stored response (a new visitor's cookie among them). */
const PER_ANSWER = new Set([
  'x-request-id',
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'set-cookie',
]);
const isPerAnswer = (name: string) => PER_ANSWER.has(name) || name.startsWith('ratelimit-');

/**
 * The headers a request's response already had when it was handed to the pipeline: the
 * front door's (its id, the security headers), which it sets on every response, a repeat
 * included. A stored response keeps only what the pipeline added, changed or removed, so a
 * repeat sets those few instead of comparing every header again.
 */
const BEFORE_PIPELINE = Symbol('headersBeforePipeline');
type WithHeadersBefore = IncomingMessage & { [BEFORE_PIPELINE]?: OutgoingHttpHeaders };

/**
 * Who a page rendered for anonymous visitors may be repeated to, and the one part of it
 * that differs from visitor to visitor (the storefront's CSRF token): the stored page is
 * kept split around the token it was rendered with, and each repeat gets the visitor's own.
 */
export interface VisitorTokens {
  /** Whether an answer rendered for an anonymous visitor may go to `req` (not signed in). */
  admits(req: IncomingMessage): boolean;
  /** `req`'s own token, the one the pipeline would render; sets on `res` what a new visitor needs (its cookie). */
  issue(req: IncomingMessage, res: ServerResponse): string;
}

/** A page to store instead of the entry's JSON: its HTML, and the visitor's token in it. */
export interface RenderedPage {
  html: string;
  token: string;
  visitors: VisitorTokens;
}

/** What a stored response is: the pipeline's own 200, and the cache entry it was made from. */
interface StoredResponse {
  /** What the pipeline set beyond what the response had before it; `undefined`: a header it removed. */
  headers: Array<[name: string, value: string | number | string[] | undefined]>;
  /** The body; a page's is split where its visitor's token goes. */
  parts: string[];
  /** The body's `Content-Length` (UTF-8, without a visitor's token). */
  bodyBytes: number;
  /** What the body takes in the heap, for {@link MAX_BYTES}. */
  heldBytes: number;
  source: CacheEntry;
  visitors: VisitorTokens | undefined;
  template: string | undefined;
}

/**
 * A response micro-cache in front of the framework, for anonymous reads of public
 * `@Cached` routes and of the storefront's pages. It stores the pipeline's own answer
 * (status 200, its headers, its body) under the exact request target it received — no
 * router, no parsing of paths or queries — and answers a repeat of that target with it
 * while the cache entry it was made from is still what the two-level cache holds in L1.
 * So:
 *
 * - **It cannot answer differently from the pipeline.** It only ever repeats what guards,
 *   pipes, interceptors and handler answered for the same bytes of request target; a
 *   target the pipeline refused (400, 403, 404) is never stored.
 * - **It is never staler than L1.** A write drops or replaces the L1 entry on every
 *   instance (CacheService), and a stored response whose body is no longer L1's is
 *   dropped on its next use and the request goes the whole way.
 * - **Per-request work is the same code either way.** The front door gives every request
 *   its id, security headers, duration metric and access line; the rate limit is
 *   {@link RateLimiter.admit}, which the pipeline's guard calls too (a request over the
 *   budget goes on to the framework, whose guard answers the 429 from the same decision).
 *
 * Only requests without `Authorization` or `Origin` are eligible, so a token's user is
 * always checked (and counted) by the pipeline, and CORS answers are the framework's. A
 * page is stored and repeated only for visitors its {@link VisitorTokens} admits (no
 * session), each repeat with the visitor's own token, issued by the code the pipeline
 * uses for it.
 */
@Injectable()
export class ResponseCache {
  private readonly entries = new Map<string, StoredResponse>();
  private bytes = 0;
  /**
   * Targets offered before. An answer is stored from its target's second offer on (nginx's
   * `proxy_cache_min_uses 2`): a target asked once — a one-off filter, a crawler's walk —
   * costs a string here instead of its whole body, which in a stream of distinct list
   * queries filled the cache, and the heap, with pages nobody asked for again.
   */
  private readonly offered = new Set<string>();
  private offeredBytes = 0;

  constructor(
    private readonly cache: CacheService,
    private readonly limiter: RateLimiter,
  ) {}

  /** An anonymous GET without CORS: the only kind of request stored or answered here. */
  static eligible(req: IncomingMessage): boolean {
    return req.method === 'GET' && req.headers.authorization === undefined && req.headers.origin === undefined;
  }

  /** Answers `req` from its stored response when that is still current; otherwise hands it on to `next`. */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const target = req.url;
    if (target === undefined || !ResponseCache.eligible(req)) {
      next();
      return;
    }
    const stored = this.entries.get(target);
    if (!stored || (stored.visitors && !stored.visitors.admits(req))) {
      toPipeline(req, res, next);
      return;
    }
    if (this.cache.peekJson(stored.source.namespace, stored.source.id) !== stored.source.json) {
      this.forget(target);
      toPipeline(req, res, next);
      return;
    }
    recordRouteTemplate(req, stored.template);
    if (!this.limiter.enabled()) {
      write(req, res, stored); // nothing to count: answered now, without waiting a turn
      return;
    }
    this.limiter.admit(req, undefined).then(
      (decision) => {
        if (decision && !decision.allowed) {
          toPipeline(req, res, next); // the pipeline's guard answers the 429 from this same decision
          return;
        }
        for (const [name, value] of Object.entries(decision?.headers ?? {})) {
          res.setHeader(name, value);
        }
        write(req, res, stored);
      },
      () => toPipeline(req, res, next),
    );
  }

  /**
   * Called for a public route's answer made from the cache entry `source`: by
   * `CacheInterceptor` (the body is the entry's JSON) and by a storefront page (`page`,
   * rendered from it). Once the pipeline has answered this request 200, that answer is
   * stored for its exact target, if the target was offered before.
   */
  offer(req: IncomingMessage, res: ServerResponse, source: CacheEntry, page?: RenderedPage): void {
    const target = req.url;
    if (target === undefined || !ResponseCache.eligible(req) || (page && !page.visitors.admits(req))) {
      return;
    }
    if (!this.offered.has(target)) {
      this.remember(target);
      return;
    }
    res.once('finish', () => {
      if (res.statusCode !== 200) {
        return;
      }
      const parts = page ? page.html.split(page.token) : [source.json];
      const sent = parts.map((part) => Buffer.byteLength(part));
      this.store(target, {
        headers: storedHeaders(res.getHeaders(), (req as WithHeadersBefore)[BEFORE_PIPELINE] ?? {}),
        parts,
        bodyBytes: sum(sent),
        heldBytes: heapBytesOf(target) + sum(parts.map((part, index) => heapBytesOf(part, sent[index]))),
        source,
        visitors: page?.visitors,
        template: routeTemplateOf(req),
      });
    });
  }

  /** How many answers, and the heap bytes of their bodies and targets, are held now; and the targets offered once. */
  get size(): { entries: number; bytes: number; offered: number; offeredBytes: number } {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      offered: this.offered.size,
      offeredBytes: this.offeredBytes,
    };
  }

  private store(target: string, response: StoredResponse): void {
    this.forget(target);
    if (response.heldBytes > MAX_BODY_BYTES) {
      return;
    }
    this.entries.set(target, response);
    this.bytes += response.heldBytes;
    // Oldest first: a Map iterates in insertion order.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) {
        break;
      }
      this.forget(oldest);
    }
  }

  /** Notes `target` as offered once, forgetting the oldest such targets past the count and byte bounds. */
  private remember(target: string): void {
    this.offered.add(target);
    this.offeredBytes += heapBytesOf(target);
    for (const oldest of this.offered) {
      if (this.offered.size <= MAX_OFFERED && this.offeredBytes <= MAX_OFFERED_BYTES) {
        break;
      }
      this.offered.delete(oldest);
      this.offeredBytes -= heapBytesOf(oldest);
    }
  }

  private forget(target: string): void {
    const stored = this.entries.get(target);
    if (stored) {
      this.entries.delete(target);
      this.bytes -= stored.heldBytes;
    }
  }
}

/**
 * What V8 takes for `text`: one byte a character when all are ASCII, else (at most) two —
 * it keeps a string at two bytes a character once any is outside Latin-1.
 */
export function heapBytesOf(text: string, utf8Bytes = Buffer.byteLength(text)): number {
  return utf8Bytes === text.length ? text.length : text.length * 2;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** Hands an eligible request on to the pipeline, noting what its response holds so far. */
function toPipeline(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  (req as WithHeadersBefore)[BEFORE_PIPELINE] = res.getHeaders();
  next();
}

/**
 * What the pipeline did to the answer's headers, beyond what it had already (`before`) and
 * what belongs to this answer only: the headers it set or changed, and those it removed.
 */
function storedHeaders(headers: OutgoingHttpHeaders, before: OutgoingHttpHeaders): StoredResponse['headers'] {
  const kept: StoredResponse['headers'] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== before[name] && !isPerAnswer(name)) {
      kept.push([name, value]);
    }
  }
  for (const name of Object.keys(before)) {
    if (headers[name] === undefined && !isPerAnswer(name)) {
      kept.push([name, undefined]);
    }
  }
  return kept;
}

function write(req: IncomingMessage, res: ServerResponse, stored: StoredResponse): void {
  res.statusCode = 200;
  for (const [name, value] of stored.headers) {
    if (value === undefined) {
      res.removeHeader(name);
    } else {
      res.setHeader(name, value);
    }
  }
  if (stored.visitors === undefined) {
    res.setHeader('Content-Length', stored.bodyBytes);
    res.end(stored.parts[0]);
    return;
  }
  const token = stored.visitors.issue(req, res);
  res.setHeader('Content-Length', stored.bodyBytes + (stored.parts.length - 1) * Buffer.byteLength(token));
  res.end(stored.parts.join(token));
}
