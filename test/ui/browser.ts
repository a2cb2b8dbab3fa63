// Debian's chromium, driven by playwright-core (no browser download). The Web UI tests use it the
// way a person uses the Temporal Web UI, and keep screenshots in test-artifacts/ui/.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const REPO_ROOT = path.resolve(__dirname, '../..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-artifacts/ui');

/**
 * The browser's path, installing it with scripts/ensure-chromium.sh when it is missing; undefined
 * (after saying so loudly) only when it cannot be installed on this machine.
 */
export function ensureChromium(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  try {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 });
  } catch {
    // reported below
  }
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  console.error(
    '\n' + '!'.repeat(100) + `\n!!! ${CHROMIUM_PATH} is missing and scripts/ensure-chromium.sh could not install it:` +
      '\n!!! THE WEB UI TESTS ARE SKIPPED. Install Debian\'s chromium (apt-get install chromium) to run them.\n' + '!'.repeat(100) + '\n',
  );
  return undefined;
}

export interface Browser {
  page: Page;
  /** Saves test-artifacts/ui/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(executablePath: string): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-chromium-'));
  // launchPersistentContext is how playwright takes a --user-data-dir: a fresh one per browser.
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true, // adds --headless
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
