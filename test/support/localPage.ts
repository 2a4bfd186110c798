// Open a local HTML file (a report) in a system headless Chromium (test/support/chromium.ts) with every console error, page error
// and request that leaves the file recorded as a problem (reports must be self-contained and offline).
import type { Page } from 'playwright-core';

import { CHROMIUM } from './chromium';

export { CHROMIUM, browserTestsUnavailable } from './chromium';

/** Open `file`, run `check(page, problems)`, always close the browser. `allowed`: URL schemes that are not a problem. */
export async function withLocalPage(file: string, check: (page: Page, problems: string[]) => Promise<void>, allowed = /^(file|data|about):/): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (allowed.test(url)) return route.continue();
      problems.push(`network: ${url}`);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await check(page, problems);
  } finally {
    await browser.close();
  }
}
