import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/**
 * The system's Chromium (Debian's `chromium` package), never a downloaded one:
 * `playwright-core` ships no browser. `CHROMIUM_PATH` points elsewhere.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave screenshots of failures; CI keeps the folder as artifacts. */
export const ARTIFACTS_DIR = resolve(__dirname, '../../test-artifacts');

/**
 * Without the background-networking flags Chromium opens connections of its own (updates,
 * sync, field trials) that a closed network refuses, slowly. Playwright gives every
 * launch a fresh, temporary user-data-dir and removes it on close.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the browser is installed; browser tests skip (saying why) when it is not. */
export function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Headless Chromium from {@link CHROMIUM_PATH}. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 60_000 });
}

/**
 * Saves a screenshot of the whole page (or of one element) as `test-artifacts/<name>.png`
 * and returns its path.
 *
 * @example
 * try { … } catch (error) { console.error(`screenshot: ${await screenshot(page, 'checkout')}`); throw error; }
 */
export async function screenshot(of: Page | Locator, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await ('goto' in of ? of.screenshot({ path, fullPage: true }) : of.screenshot({ path }));
  return path;
}

/**
 * Runs one step of a browser test; on failure saves a screenshot of `page()` to
 * test-artifacts/ as `<prefix>-<name>-failed.png` and names it in the error.
 */
export async function browserStep(
  page: () => Page,
  prefix: string,
  name: string,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const path = await screenshot(page(), `${prefix}-${name}-failed`).catch(
      (cause: unknown) => `(none: ${String(cause)})`,
    );
    (error as Error).message += `\nScreenshot: ${path}`;
    throw error;
  }
}
