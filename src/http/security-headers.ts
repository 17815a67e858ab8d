import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

type HeaderList = ReadonlyArray<readonly [string, string]>;

/**
 * Runs a helmet middleware once against a stand-in response and keeps the headers it
 * set: they depend on the configuration only, so every response gets them without
 * running helmet per request, and on either HTTP adapter.
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

/** JSON answers load nothing, so their CSP allows nothing. */
const API_HEADERS = headersOf(
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  }),
);
/** Swagger UI needs its own scripts and inline styles, and no https upgrade on a plain-http dev host. */
const DOCS_HEADERS = headersOf(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

/** The security headers for a response to `path`. */
function securityHeadersFor(path: string): HeaderList {
  return path.startsWith('/docs') ? DOCS_HEADERS : API_HEADERS;
}

export function setSecurityHeaders(res: ServerResponse, path: string): void {
  for (const [name, value] of securityHeadersFor(path)) {
    res.setHeader(name, value);
  }
}
