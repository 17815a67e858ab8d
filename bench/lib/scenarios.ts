import type autocannon from 'autocannon';
import type { RoutedRequest } from './load.js';
import { HOT_PRODUCT_ID } from './seed.js';

/** What a scenario needs to build its requests. */
export interface ScenarioContext {
  products: number;
  tokens: string[];
}

export interface Scenario {
  name: string;
  description: string;
  connections: number;
  /** Fixed path, or a per-request generator (path, method, headers, body). */
  path: string;
  /** A request may name its route (`route`): the report then gives latency per route. */
  setupRequest?: (ctx: ScenarioContext) => (request: autocannon.Request) => RoutedRequest;
  /** 409 is an answer the contract expects here (INSUFFICIENT_STOCK on checkout). */
  allows409?: boolean;
  /** Empties the bench users' carts first, so the 100-line cap is never reached. */
  clearsCarts?: boolean;
}

export const READ_CONNECTIONS = 64;
export const WRITE_CONNECTIONS = 32;

const SORTS = ['sales:desc', 'price:asc', 'price:desc', 'createdAt:desc'];

/** Round-robin over the logged-in users. */
function tokenRotation(tokens: string[]): () => string {
  let next = 0;
  return () => `Bearer ${tokens[next++ % tokens.length]}`;
}

/** Any product but the hot one, uniformly. */
function randomProduct(products: number): number {
  return HOT_PRODUCT_ID + 1 + Math.floor(Math.random() * (products - 1));
}

/** Keeps autocannon's defaults (host, empty body) in what setupRequest returns. */
function get(request: autocannon.Request, path: string, authorization?: string): autocannon.Request {
  return { ...request, method: 'GET', path, headers: authorization ? { authorization } : {} };
}

function post(request: autocannon.Request, path: string, authorization: string, body: unknown): autocannon.Request {
  return {
    ...request,
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  };
}

function buy(request: autocannon.Request, productId: number, authorization: string): autocannon.Request {
  return post(request, '/v1/orders', authorization, { items: [{ productId, quantity: 1 }] });
}

/** `request`, saying which route it exercises. */
function routed(route: string, request: autocannon.Request): RoutedRequest {
  return { ...request, route };
}

export const HOT_READ: Scenario = {
  name: 'hot-read',
  description: `GET /v1/products/${HOT_PRODUCT_ID}, one id (served from the in-process cache)`,
  connections: READ_CONNECTIONS,
  path: `/v1/products/${HOT_PRODUCT_ID}`,
};

export const HOT_LIST: Scenario = {
  name: 'hot-list',
  description: 'GET /v1/products?page=1, the same page every time',
  connections: READ_CONNECTIONS,
  path: '/v1/products?page=1',
};

/** The storefront's twin of {@link HOT_READ}: the same product as an HTML page (cached read + compiled template). */
export const PRODUCT_PAGE: Scenario = {
  name: 'product-page',
  description: `GET /products/${HOT_PRODUCT_ID}, the storefront page of the hot-read product`,
  connections: READ_CONNECTIONS,
  path: `/products/${HOT_PRODUCT_ID}`,
};

/** The storefront's twin of {@link HOT_LIST}: the catalog's first page as HTML. */
export const CATALOG_PAGE: Scenario = {
  name: 'catalog-page',
  description: 'GET /?page=1, the storefront catalog page of the hot-list page',
  connections: READ_CONNECTIONS,
  path: '/?page=1',
};

/** Every service scenario, in the order a round runs them. */
export const SERVICE_SCENARIOS: Scenario[] = [
  HOT_READ,
  HOT_LIST,
  PRODUCT_PAGE,
  CATALOG_PAGE,
  {
    name: 'uncached-list',
    description: 'GET /v1/products?minPrice=<distinct per request>: every request misses the cache',
    connections: READ_CONNECTIONS,
    path: '/v1/products',
    setupRequest: () => {
      let next = Math.floor(Math.random() * 1_000_000);
      return (request) => {
        // 7919 is prime to 1e6, so a million requests in a row never repeat a filter.
        next = (next + 7919) % 1_000_000;
        return get(request, `/v1/products?minPrice=${next}`);
      };
    },
  },
  {
    name: 'cart-add',
    description: 'POST /v1/cart/items, a random product, users in rotation',
    connections: WRITE_CONNECTIONS,
    path: '/v1/cart/items',
    clearsCarts: true,
    setupRequest: (ctx) => {
      const token = tokenRotation(ctx.tokens);
      return (request) =>
        post(request, '/v1/cart/items', token(), { productId: randomProduct(ctx.products), quantity: 1 });
    },
  },
  {
    name: 'order-random',
    description: 'POST /v1/orders buying one random product directly (the checkout transaction)',
    connections: WRITE_CONNECTIONS,
    path: '/v1/orders',
    allows409: true,
    setupRequest: (ctx) => {
      const token = tokenRotation(ctx.tokens);
      return (request) => buy(request, randomProduct(ctx.products), token());
    },
  },
  {
    name: 'order-hot',
    description: `POST /v1/orders all buying product ${HOT_PRODUCT_ID} (one row lock)`,
    connections: WRITE_CONNECTIONS,
    path: '/v1/orders',
    allows409: true,
    setupRequest: (ctx) => {
      const token = tokenRotation(ctx.tokens);
      return (request) => buy(request, HOT_PRODUCT_ID, token());
    },
  },
  {
    name: 'mixed',
    description: '55% product by id (top 1000), 20% list pages, 8% GET cart, 14% add to cart, 3% orders',
    connections: READ_CONNECTIONS,
    path: '/v1/products/1',
    allows409: true,
    clearsCarts: true,
    setupRequest: (ctx) => {
      const token = tokenRotation(ctx.tokens);
      return (request) => {
        const dice = Math.random() * 100;
        if (dice < 55) {
          return routed('GET /v1/products/:id', get(request, `/v1/products/${1 + Math.floor(Math.random() * 1000)}`));
        }
        if (dice < 75) {
          const page = 1 + Math.floor(Math.random() * 5);
          const sort = SORTS[Math.floor(Math.random() * SORTS.length)];
          return routed('GET /v1/products', get(request, `/v1/products?page=${page}&sort=${sort}`));
        }
        if (dice < 83) {
          return routed('GET /v1/cart', get(request, '/v1/cart', token()));
        }
        if (dice < 97) {
          const body = { productId: randomProduct(ctx.products), quantity: 1 };
          return routed('POST /v1/cart/items', post(request, '/v1/cart/items', token(), body));
        }
        return routed('POST /v1/orders', buy(request, randomProduct(ctx.products), token()));
      };
    },
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SERVICE_SCENARIOS.find((scenario) => scenario.name === name);
}
