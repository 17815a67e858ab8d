import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/** What a browser keeps between storefront requests: its cookies, and the CSRF token of the last page. */
export class ShopSession {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly http: TestApp['http']) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Keeps the cookies a response sets (an empty value or `Max-Age=0` drops one) and the page's CSRF token. */
  take(res: Response): Response {
    for (const line of setCookiesOf(res)) {
      const [pair] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || /;\s*Max-Age=0/i.test(line)) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
    const token = /name="_csrf" value="([^"]*)"/.exec(res.text ?? '');
    if (token) {
      this.csrf = token[1];
    }
    return res;
  }

  async get(path: string): Promise<Response> {
    return this.take(await this.http.get(path).set('Cookie', this.cookieHeader()).redirects(0));
  }

  /** Posts a form with the last page's CSRF token (unless `fields` names `_csrf` itself). */
  async post(path: string, fields: Record<string, string | number> = {}): Promise<Response> {
    const form = new URLSearchParams(
      Object.entries({ _csrf: this.csrf, ...fields }).map(([k, v]): [string, string] => [k, String(v)]),
    );
    return this.take(
      await this.http.post(path).set('Cookie', this.cookieHeader()).type('form').send(form.toString()).redirects(0),
    );
  }

  /** The session's access token, to check what it did through the JSON API. */
  bearer(): string {
    return `Bearer ${this.cookies.get('mall_session') ?? ''}`;
  }
}

export function setCookiesOf(res: Response): string[] {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

/** Registers (and so signs in) a fresh customer through the storefront's forms. */
let counter = 0;
export async function shopCustomer(http: TestApp['http']): Promise<ShopSession & { email: string; password: string }> {
  const session = new ShopSession(http);
  const email = `shopper${++counter}-${Date.now()}@mall.test`;
  const password = 'shopper-password-1';
  await session.get('/register');
  const res = await session.post('/register', { email, password, name: '李雷' });
  if (res.status !== 303) {
    throw new Error(`registering ${email} answered ${res.status}: ${res.text}`);
  }
  return Object.assign(session, { email, password });
}
