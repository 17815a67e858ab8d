import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Asset {
  /** Where pages link it: the name carries a hash of the content, so it may be cached for good. */
  path: string;
  contentType: string;
  /** Text: a Buffer would go out as JSON through Nest's Express adapter. */
  body: string;
}

const ASSETS_DIR = join(__dirname, 'assets');
const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8' };

function load(file: string): Asset {
  const body = readFileSync(join(ASSETS_DIR, file), 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [name, extension] = file.split('.');
  return { path: `/assets/${name}.${hash}.${extension}`, contentType: TYPES[extension], body };
}

/**
 * The storefront's static files (one style sheet: pages carry no inline style, so the CSP
 * needs no `unsafe-inline`), read once at start-up and served from memory.
 */
export class Assets {
  readonly styles = load('shop.css');
  private readonly byPath = new Map([[this.styles.path, this.styles]]);

  find(path: string): Asset | undefined {
    return this.byPath.get(path);
  }
}
