import type { AddressInfo } from 'node:net';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserAvailable, browserStep, CHROMIUM_PATH, launchBrowser, screenshot } from '../support/browser';
import { createProduct } from '../support/catalog';
import { closeSuite, openSuite, type Suite } from '../support/test-app';

/**
 * A new user's first order, done the way a person exploring the API does it: in Swagger UI
 * at /docs, through "Try it out" and "Authorize" in a real (headless) Chromium. It proves
 * the document drives the UI: a parameter or body the UI cannot build sends nothing.
 */
const describeInBrowser = browserAvailable() || process.env.BROWSER_TESTS === 'required' ? describe : describe.skip;
if (!browserAvailable()) {
  const say = process.env.BROWSER_TESTS === 'required' ? 'failing' : 'skipping';
  console.warn(`Swagger UI browser test: ${CHROMIUM_PATH} not found, ${say} (apt-get install chromium fonts-noto-cjk)`);
}

describeInBrowser('Swagger UI in a browser', () => {
  let suite: Partial<Suite> = {};
  let browser: Browser;
  let page: Page;
  let products: { id: number; name: string }[];
  const email = `swagger-${Date.now()}@mall.test`;
  const password = 'swagger-password-1';

  beforeAll(async () => {
    suite = await openSuite();
    // Chinese names: the screenshots show whether the CJK fonts are there.
    products = [
      await createProduct(suite.t!, suite.admin!, { name: '机械键盘 浏览器测试', price: 89900, stock: 5 }),
      await createProduct(suite.t!, suite.admin!, { name: '无线耳机 浏览器测试', price: 19900, stock: 5 }),
    ];
    const { port } = suite.t!.app.getHttpServer().address() as AddressInfo;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/docs`);
    await page.locator('.opblock').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await closeSuite(suite);
  });

  /** Runs one step; on failure saves a screenshot to test-artifacts/ and names it in the error. */
  const step = (name: string, work: () => Promise<void>) => browserStep(() => page, 'swagger-ui', name, work);

  it('registers through Try it out', () =>
    step('register', async () => {
      const op = await tryItOut('post', '/v1/auth/register');
      await op.locator('textarea.body-param__text').fill(JSON.stringify({ email, password, name: '浏览器用户' }));
      const answer = await execute(op);
      expect(answer.status).toBe('201');
      expect(JSON.parse(answer.body)).toMatchObject({ email, role: 'customer' });
    }));

  let token: string;
  it('logs in and authorizes with the token', () =>
    step('login', async () => {
      const op = await tryItOut('post', '/v1/auth/login');
      await op.locator('textarea.body-param__text').fill(JSON.stringify({ email, password }));
      const answer = await execute(op);
      expect(answer.status).toBe('200');
      token = (JSON.parse(answer.body) as { accessToken: string }).accessToken;
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      await page.locator('.scheme-container button.authorize').click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.locator('input[type="text"]').fill(token);
      await dialog.locator('button.modal-btn.authorize').click();
      await expectVisible(dialog.locator('button.modal-btn.auth', { hasText: 'Logout' }));
      await dialog.locator('button.btn-done').click();
    }));

  it('lists products with page and pageSize filled in', () =>
    step('list-products', async () => {
      const op = await tryItOut('get', '/v1/products');
      // Swagger UI pre-fills parameters with their examples; these two are set, not inherited.
      await op.locator('tr[data-param-name="q"] input').fill('浏览器测试');
      await op.locator('tr[data-param-name="createdAfter"] input').fill('');
      await op.locator('tr[data-param-name="page"] input').fill('2');
      await op.locator('tr[data-param-name="pageSize"] input').fill('1');
      const answer = await execute(op);
      expect(answer.status).toBe('200');
      expect(answer.url).toMatch(/[?&]page=2(&|$)/);
      expect(answer.url).toMatch(/[?&]pageSize=1(&|$)/);
      expect(answer.url).toContain(`q=${encodeURIComponent('浏览器测试')}`);
      const body = JSON.parse(answer.body) as { page: number; pageSize: number; total: number; items: unknown[] };
      expect(body).toMatchObject({ page: 2, pageSize: 1, total: 2 });
      expect(body.items).toHaveLength(1);
    }));

  it('adds to the cart as the authorized user', () =>
    step('cart', async () => {
      const op = await tryItOut('post', '/v1/cart/items');
      await op.locator('textarea.body-param__text').fill(JSON.stringify({ productId: products[0].id, quantity: 2 }));
      const answer = await execute(op);
      expect(answer.status).toBe('200');
      expect(answer.curl).toContain(`Authorization: Bearer ${token}`);
      expect(JSON.parse(answer.body)).toMatchObject({
        items: [expect.objectContaining({ productId: products[0].id, quantity: 2 })],
      });
    }));

  it('checks out the cart with an Idempotency-Key', () =>
    step('checkout', async () => {
      const op = await tryItOut('post', '/v1/orders');
      await op.locator('tr[data-param-name="Idempotency-Key"] input').fill(`swagger-ui-${Date.now()}`);
      await op.locator('textarea.body-param__text').fill('{}');
      const answer = await execute(op);
      expect(answer.status).toBe('201');
      expect(answer.headers).toMatch(/location: \/v1\/orders\/\d+/i);
      expect(JSON.parse(answer.body)).toMatchObject({
        status: 'pending',
        total: 2 * 89900,
        items: [expect.objectContaining({ productId: products[0].id, quantity: 2, name: products[0].name })],
      });
      // Kept as a CI artifact: what a user sees, Chinese names included.
      await screenshot(op.locator('.responses-inner > div').first(), 'swagger-ui-order-placed');
    }));

  /** Opens the operation and presses "Try it out"; returns the operation's block. */
  async function tryItOut(method: string, path: string): Promise<Locator> {
    const op = page
      .locator(`.opblock.opblock-${method}`)
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
    await op.locator('.opblock-summary-control').click();
    await op.locator('button.try-out__btn').click();
    return op;
  }

  /** Presses Execute and reads the answer Swagger UI shows. */
  async function execute(op: Locator) {
    await op.locator('button.execute').click();
    const live = op.locator('.live-responses-table tbody tr.response');
    await expectVisible(live.locator('.response-col_status'));
    const text = (locator: Locator) => locator.first().innerText();
    return {
      status: (await text(live.locator('.response-col_status'))).trim(),
      body: await text(live.locator('div:has(> h5:text-is("Response body")) pre')),
      headers: await text(live.locator('div:has(> h5:text-is("Response headers")) pre')),
      url: await text(op.locator('.request-url pre')),
      curl: await text(op.locator('.curl-command pre')),
    };
  }

  async function expectVisible(locator: Locator): Promise<void> {
    await locator.first().waitFor({ state: 'visible', timeout: 15_000 });
  }
});
