// Callbacks of page.evaluate run in the page: they see the DOM's types.
/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserAvailable, browserStep, CHROMIUM_PATH, launchBrowser, screenshot } from '../support/browser';
import { createProduct } from '../support/catalog';
import { closeSuite, openSuite, type Suite } from '../support/test-app';

/**
 * A person shopping in the storefront with a real (headless) Chromium: register, log in,
 * search, add to the cart, change it, check out and read the order's history, with the
 * CSP in force, no script ever running, and axe-core checking every page it sees.
 */
const describeInBrowser = browserAvailable() || process.env.BROWSER_TESTS === 'required' ? describe : describe.skip;
if (!browserAvailable()) {
  const say = process.env.BROWSER_TESTS === 'required' ? 'failing' : 'skipping';
  console.warn(`Storefront browser test: ${CHROMIUM_PATH} not found, ${say} (apt-get install chromium fonts-noto-cjk)`);
}

const XSS_NAME = '<img src=x onerror=alert(1)>';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

describeInBrowser('Storefront in a browser', () => {
  let suite: Partial<Suite> = {};
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let xssProduct: { id: number };
  /** Every dialog (alert, confirm) a page opened, and every script error or CSP report on the console. */
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  const email = `browser-${Date.now()}@mall.test`;
  const password = 'browser-password-1';

  const orderCount = async () =>
    Number((await suite.t!.dataSource.query(`SELECT count(*)::int AS n FROM orders`))[0].n as number);

  beforeAll(async () => {
    // The demo catalog (Chinese names first), as a user's first start has it.
    suite = await openSuite({ SEED_DEMO: 'true' });
    xssProduct = await createProduct(suite.t!, suite.admin!, { name: XSS_NAME, price: 100, stock: 5 });
    const { port } = suite.t!.app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1200, height: 860 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('console', (message) => {
      // The error pages this test asks for (a 403) log their status; anything else is a failure.
      if (message.type() === 'error' && !/status of 403/.test(message.text())) {
        consoleErrors.push(message.text());
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await closeSuite(suite);
  });

  /** Runs one step; on failure saves a screenshot to test-artifacts/ and names it in the error. */
  const step = (name: string, work: () => Promise<void>) => browserStep(() => page, 'storefront', name, work);

  /** axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not govern). */
  async function expectAccessible(what: string): Promise<void> {
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: (context: unknown) => Promise<{ violations: unknown[] }> } })
        .axe;
      return (await axe.run(document)).violations;
    });
    const serious = (violations as AxeViolation[])
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
      );
    expect({ page: what, serious }).toEqual({ page: what, serious: [] });
  }

  async function submit(button: string): Promise<void> {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button, exact: true }).click()]);
  }

  it('registers, lands signed in, logs out and logs in again', () =>
    step('register-login', async () => {
      await page.goto(`${base}/register`);
      await expectAccessible('register');
      await page.getByLabel('Name (optional)').fill('浏览器用户');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password (8–128 characters)').fill(password);
      await submit('Register');
      await page.waitForURL(`${base}/`);
      await expect(page.getByRole('button', { name: 'Log out' }).isVisible()).resolves.toBe(true);

      await submit('Log out');
      await page.waitForURL(`${base}/`);
      await page.getByRole('link', { name: 'Log in' }).click();
      await page.waitForURL(/\/login/);
      await expectAccessible('login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await submit('Log in');
      await page.waitForURL(`${base}/`);
      await expect(page.getByRole('button', { name: 'Log out' }).isVisible()).resolves.toBe(true);
      const cookies = await context.cookies();
      expect(cookies.find((cookie) => cookie.name === 'mall_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
      });
    }));

  it('searches the catalog', () =>
    step('search', async () => {
      await page.goto(`${base}/`);
      await expectAccessible('catalog');
      // The style sheet applies (the CSP lets the page's own sheet in).
      await expect(page.locator('.products').evaluate((list) => getComputedStyle(list).display)).resolves.toBe('grid');
      await screenshot(page, 'storefront-catalog');
      await page.getByLabel('Search').fill('键盘');
      await submit('Search');
      await page.waitForURL(/[?&]q=/);
      const names = await page.locator('.products h2').allTextContents();
      expect(names).toEqual(['机械键盘']);
      await expect(page.locator('.products .price').first().textContent()).resolves.toBe('¥899.00');
    }));

  it('opens a product, adds two, changes the quantity and checks out', () =>
    step('checkout', async () => {
      await page.getByRole('link', { name: '机械键盘' }).click();
      await page.waitForURL(/\/products\/\d+$/);
      await expectAccessible('product');
      await expect(page.locator('h1').textContent()).resolves.toBe('机械键盘');
      await page.getByLabel('Quantity').fill('2');
      await submit('Add to cart');
      await page.waitForURL(`${base}/cart`);
      await expect(page.getByLabel('Quantity of 机械键盘').inputValue()).resolves.toBe('2');
      await expect(page.locator('.total').first().textContent()).resolves.toBe('¥1,798.00');

      await page.getByLabel('Quantity of 机械键盘').fill('3');
      await submit('Update');
      await page.waitForURL(`${base}/cart`);
      await expect(page.getByLabel('Quantity of 机械键盘').inputValue()).resolves.toBe('3');
      await expect(page.locator('.total').first().textContent()).resolves.toBe('¥2,697.00');
      await expectAccessible('cart');

      const before = await orderCount();
      await submit('Place order');
      await page.waitForURL(/\/orders\/\d+$/);
      expect(await orderCount()).toBe(before + 1);
      await expect(page.locator('.status').textContent()).resolves.toBe('Awaiting payment');
      await expect(page.locator('.timeline li strong').allTextContents()).resolves.toEqual(['Order placed']);
      await expect(page.locator('.lines tbody td').first().textContent()).resolves.toBe('机械键盘');
      await expectAccessible('order');

      const orderUrl = page.url();
      await page.getByRole('link', { name: 'Orders', exact: true }).click();
      await page.waitForURL(`${base}/orders`);
      await expectAccessible('orders');
      await expect(page.locator(`a[href="${new URL(orderUrl).pathname}"]`).count()).resolves.toBe(1);
    }));

  it('makes one order of a double-clicked "Place order"', () =>
    step('double-click', async () => {
      await addToCart(1);
      const before = await orderCount();
      await page.getByRole('button', { name: 'Place order' }).dblclick();
      await page.waitForURL(/\/orders\/\d+$/);
      await page.waitForLoadState('load');
      expect(await orderCount()).toBe(before + 1);
      await expect(page.locator('.timeline li strong').allTextContents()).resolves.toEqual(['Order placed']);
      await expect(page.locator('.lines tbody td').first().textContent()).resolves.toBe('无线耳机');
    }));

  it('makes one order of the same checkout form posted twice at once', () =>
    step('double-post', async () => {
      // Chromium drops a second, identical form navigation while the first is pending; other
      // browsers send both. Both posts, exactly as the form would send them, from this page.
      await addToCart(1);
      const before = await orderCount();
      const landed = await page.evaluate(async () => {
        const form = document.querySelector<HTMLFormElement>('form.checkout')!;
        const post = () =>
          fetch(form.action, {
            method: 'POST',
            body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>),
          });
        const answers = await Promise.all([post(), post()]);
        return answers.map((answer) => ({ status: answer.status, url: answer.url }));
      });
      expect(landed.map((answer) => answer.status)).toEqual([200, 200]);
      expect(landed[0].url).toMatch(/\/orders\/\d+$/);
      expect(landed[1].url).toBe(landed[0].url);
      expect(await orderCount()).toBe(before + 1);
    }));

  it('shows a product named with markup as text and runs nothing', () =>
    step('xss', async () => {
      await page.goto(`${base}/products/${xssProduct.id}`);
      await expect(page.locator('h1').textContent()).resolves.toBe(XSS_NAME);
      await expect(page.locator('main img').count()).resolves.toBe(0);
      await page.goto(`${base}/?q=${encodeURIComponent('<img')}`);
      await expect(page.locator('.products h2').allTextContents()).resolves.toEqual([XSS_NAME]);
      await expect(page.locator('main img').count()).resolves.toBe(0);
      expect(dialogs).toEqual([]);
    }));

  it('refuses a form posted without its CSRF token', () =>
    step('csrf', async () => {
      await page.goto(`${base}/products/1`);
      const cartBefore = await suite.t!.http.get('/v1/cart').set('Authorization', await sessionBearer());
      // What a forged form lacks: the token only this site's pages carry.
      await page.locator('form.buy input[name="_csrf"]').evaluate((input) => input.remove());
      await submit('Add to cart');
      await expect(page.locator('h1').textContent()).resolves.toBe('403 · Forbidden');
      await expect(page.locator('.muted code').first().textContent()).resolves.toBe('CSRF_TOKEN_INVALID');
      await expect(page.locator('.request-id').textContent()).resolves.toMatch(/^[0-9a-f-]{36}$/);
      await expectAccessible('error');
      const cartAfter = await suite.t!.http.get('/v1/cart').set('Authorization', await sessionBearer());
      expect(cartAfter.body).toEqual(cartBefore.body);
    }));

  it('ran no script and broke no CSP rule on any page', () => {
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  async function addToCart(productId: number): Promise<void> {
    await page.goto(`${base}/products/${productId}`);
    await submit('Add to cart');
    await page.waitForURL(`${base}/cart`);
  }

  async function sessionBearer(): Promise<string> {
    const session = (await context.cookies()).find((cookie) => cookie.name === 'mall_session');
    return `Bearer ${session?.value ?? ''}`;
  }
});
