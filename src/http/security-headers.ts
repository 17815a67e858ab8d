import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isStorefrontPath } from './storefront-paths';

type HeaderList = ReadonlyArray<readonly [string, string]>;

/**
 * Runs a helmet middleware once against a stand-in response and keeps the headers it
 * set: they depend on the configuration only, so every response gets them without
 * running helmet per request.
 */
function headersOf(middleware: ReturnType<typeof helmet>): HeaderList {
  const headers: Array<[string, string]> = [];
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.push([name, String(value)]);
    },
    removeHeader: () => undefined,
  };
  middleware({ headers: {} } as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * JSON answers load nothing, so their CSP allows nothing. They are never a document a
 * browser renders (a JSON type, `nosniff`, that CSP), so they get only the headers that
 * protect a resource: CSP, HSTS, `nosniff`, `X-Frame-Options` and CORP — the OWASP REST
 * cheat sheet's set. Helmet's document-only headers (the opener policy, origin-agent
 * clustering, referrer policy, DNS prefetch, IE8's download option, Flash's cross-domain
 * policies, the XSS auditor) are left to pages and Swagger UI: on a JSON answer they would
 * be bytes a browser never uses, and bytes are most of what a cached read costs to send.
 */
const API_HEADERS = headersOf(
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  }),
);
/** Swagger UI needs its own scripts and inline styles, and no https upgrade on a plain-http dev host. */
const DOCS_HEADERS = headersOf(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

/**
 * The storefront's pages: their own scripts, styles and form targets only — no inline
 * script or style anywhere — and no https upgrade on a plain-http dev host.
 */
const PAGE_HEADERS = headersOf(
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    // Same-origin referrers let a form post that needs a login come back to its page afterwards.
    referrerPolicy: { policy: 'same-origin' },
  }),
);

/** The security headers for a response to `path`. */
function securityHeadersFor(path: string): HeaderList {
  if (path.startsWith('/docs')) {
    return DOCS_HEADERS;
  }
  return isStorefrontPath(path) ? PAGE_HEADERS : API_HEADERS;
}

export function setSecurityHeaders(res: ServerResponse, path: string): void {
  for (const [name, value] of securityHeadersFor(path)) {
    res.setHeader(name, value);
  }
}
