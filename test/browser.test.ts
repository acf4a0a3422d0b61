/**
 * The local chat page in headless Chromium (Debian's chromium, driven by playwright-core): a person
 * clicks through the triage flow and reads the answer on screen. Skips, saying why, only where no
 * chromium is installed and this is not CI (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startServer, type Running } from '../src/root/server.js';
import { silentLogger } from '../src/log.js';
import { tempDbPath } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run should have installed Debian's chromium`);
if (!available) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

describe.skipIf(!available)('local chat page in a browser', () => {
  let app: App;
  let running: Running;
  let browser: Browser;
  const dbPath = tempDbPath();
  beforeAll(async () => {
    app = openApp({ ...loadConfig({}), dbPath });
    running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // The machine has no network: keep Chromium from trying to reach out.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await running?.close();
    app?.close();
  });

  it('walks the triage flow by clicking buttons and shows the answer', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.getByRole('button', { name: 'Is this medical first?' }).click();
    await page.getByRole('button', { name: 'Impacted wisdom tooth removal' }).click();
    await page.getByText('Which insurance does the patient have?').waitFor();
    await page.getByRole('button', { name: 'One combined plan' }).last().click();
    const answer = page.locator('.answer').last();
    await answer.waitFor();
    expect(await answer.getAttribute('data-lane')).toBe('medical-first');
    expect(await answer.locator('tr', { hasText: 'Prior authorization' }).textContent()).toMatch(/Likely needed/);
    expect(await answer.textContent()).toContain('D7240');
    expect(await answer.textContent()).toContain('Primary payer');
    expect(await answer.textContent()).not.toMatch(/medical-first|not-required|preauth-missing/); // words, not ids
    // The answer is shown from its top, not scrolled past.
    await expect.poll(async () => (await answer.boundingBox())?.y ?? -1).toBeGreaterThanOrEqual(0);
    expect((await answer.boundingBox())?.y ?? Infinity).toBeLessThan(page.viewportSize()?.height ?? 0);
    // The rules and their sources are folded, the sources as links.
    expect(await answer.locator('details summary', { hasText: 'Sources' }).count()).toBe(1);
    expect(await answer.locator('details a[href^="http"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(dbPath, '..', 'answer.png'), fullPage: true });
  }, 60_000);

  it('ticks a document in a checklist and sees the count change', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.locator('#say').fill('docs for a sleep apnea appliance, Medicare');
    await page.locator('#say').press('Enter');
    await page.getByText('0 of').last().waitFor();
    await page.locator('.checklist').last().getByLabel(/Sleep study/).check();
    await page.getByText('1 of').last().waitFor();
    expect(await page.locator('.checklist').last().getByLabel(/Sleep study/).isChecked()).toBe(true);
    expect(await page.locator('.checklist').count()).toBe(1); // redrawn in place, not posted again
  }, 60_000);
});
