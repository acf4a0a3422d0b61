/**
 * The local chat page in headless Chromium (Debian's chromium, driven by playwright-core): a person
 * clicks through the triage flow and reads the answer on screen, and works the claims due today from the
 * "Today" view. Skips, saying why, only where no chromium is installed and this is not CI (.ci/run
 * installs it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { openHouse as openApp, type House as App } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { silentLogger } from '../../src/log.js';
import { showDate } from '../../src/claims/dates.js';
import { addDays } from '../../src/calendar.js';
import type { MedicalPayer } from '../../src/knowledge/vocabulary.js';
import { tempDbPath } from '../helpers.js';
import { claimService } from '../support/storage.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run should have installed Debian's chromium`);
if (!available) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
// The practice's zone: "today" for claims is the date there, whatever this machine's zone. The page's clock
// is 02:30 UTC on Dec 8: still the evening of Dec 7 in Chicago, so every date shown or recorded is Dec 7.
const ZONE = 'America/Chicago';
const NOW = Date.parse('2026-12-08T02:30:00Z');
const today = '2026-12-07';

/** The browser's globals, as a page sees them (the tests compile without the DOM's types). */
interface PageGlobals { getComputedStyle(e: unknown): Record<string, string>; sessionStorage: Record<string, string>; localStorage: Record<string, string> }
/** The background colour an element is drawn with. */
const backgroundOf = (l: Locator) => l.evaluate((e) => (globalThis as unknown as PageGlobals).getComputedStyle(e).backgroundColor);

describe.skipIf(!available)('local chat page in a browser', () => {
  let app: App;
  let running: Running;
  let browser: Browser;
  const dbPath = tempDbPath();
  beforeAll(async () => {
    app = openApp({ ...loadConfig({ MEDBILL_TIME_ZONE: ZONE }), dbPath }, { now: () => NOW });
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
    // The lane as a badge: its name in words (the colour repeats it), at the top of the answer.
    const badge = answer.locator('.lane');
    expect(await badge.textContent()).toBe('Lane: Medical first');
    expect(await badge.isVisible()).toBe(true);
    expect(await backgroundOf(badge)).toBe('rgb(204, 251, 241)');
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

  it('downloads the claim form (the CMS-1500 PDF) from the Claim form button under a medical answer', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.locator('#say').fill('E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63');
    await page.locator('#say').press('Enter');
    await page.locator('.answer').last().waitFor();
    await page.getByRole('button', { name: 'Claim form' }).last().click();
    const link = page.getByRole('link', { name: /^Download CMS1500-C-[A-Z0-9]{5}\.pdf$/ });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^CMS1500-C-[A-Z0-9]{5}\.pdf$/);
    const path = await download.path();
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await page.getByText('Check before sending').count()).toBeGreaterThan(0);
  }, 60_000);

  it('keeps the conversation across a reload, with each answer\'s lane badge, and starts a new one on request', async () => {
    const page = await browser.newPage();
    await page.goto(running.url);
    const chat = page.getByRole('tabpanel', { name: 'Chat' });
    await chat.getByText(/medbill helps/).first().waitFor();
    // A message with a patient's name in it: shown, and kept, as medbill read it.
    await page.locator('#say').fill('pt John Smith broke #8 in a bike accident, has BCBS medical + Delta dental');
    await page.locator('#say').press('Enter');
    const answer = page.locator('.answer').last();
    await answer.waitFor();
    expect(await answer.getAttribute('data-lane')).toBe('medical');
    expect(await answer.locator('.lane').textContent()).toBe('Lane: Medical');
    const medicalColour = await backgroundOf(answer.locator('.lane'));
    const mine = page.locator('.msg.me').last();
    expect(await mine.textContent()).toBe('pt [name removed] broke #8 in a bike accident, has BCBS medical + Delta dental');
    // A second answer with another lane: another badge, another colour.
    await page.locator('#say').fill('new pt, porcelain veneers on #8 and #9 for looks, no insurance');
    await page.locator('#say').press('Enter');
    await expect.poll(() => page.locator('.answer').count()).toBe(2);
    const second = page.locator('.answer').last();
    expect(await second.getAttribute('data-lane')).toBe('patient-pay');
    expect(await second.locator('.lane').textContent()).toBe('Lane: Patient pays');
    expect(await backgroundOf(second.locator('.lane'))).not.toBe(medicalColour);
    const before = await page.locator('#log .msg').allTextContents();

    await page.reload();
    await page.locator('.answer').first().waitFor();
    // The same messages and replies, in order, drawn the same way; no help added on top.
    expect(await page.locator('#log .msg').allTextContents()).toEqual(before);
    expect(await page.locator('.answer').first().getAttribute('data-lane')).toBe('medical');
    expect(await page.locator('.answer').first().locator('.lane').textContent()).toBe('Lane: Medical');
    expect(await page.locator('.msg.me', { hasText: 'pt [name removed] broke #8' }).count()).toBe(1);
    expect(await page.locator('.answer').last().locator('.lane').textContent()).toBe('Lane: Patient pays');
    // Kept in this tab only, as medbill read it: the name is in no storage of the page.
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return JSON.stringify({ ...g.sessionStorage }) + JSON.stringify({ ...g.localStorage });
    });
    expect(stored).toContain('[name removed]');
    expect(stored).not.toContain('Smith');

    // The conversation goes on after the reload: "new case" starts one, below what was kept.
    await page.locator('#say').fill('new case');
    await page.locator('#say').press('Enter');
    await expect.poll(() => page.locator('#log .msg').count()).toBeGreaterThan(before.length + 1);
    expect(await page.locator('#log .msg').nth(before.length).textContent()).toBe('new case');
    expect(await page.locator('#log .msg.bot').last().textContent()).toMatch(/procedure/i);

    // "New conversation" clears the page and what it kept: a reload shows only the new start.
    await page.getByRole('button', { name: 'New conversation' }).click();
    await chat.getByText(/medbill helps/).first().waitFor();
    expect(await page.locator('.answer').count()).toBe(0);
    expect(await page.locator('.msg.me').count()).toBe(0);
    const fresh = await page.locator('#log .msg').allTextContents();
    await page.reload();
    await chat.getByText(/medbill helps/).first().waitFor();
    expect(await page.locator('#log .msg').allTextContents()).toEqual(fresh);
    await page.screenshot({ path: join(dbPath, '..', 'reload.png'), fullPage: true });
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
    // A reload shows the checklist as it was last drawn, once.
    await page.reload();
    await page.getByText('1 of').last().waitFor();
    expect(await page.locator('.checklist').count()).toBe(1);
    expect(await page.locator('.checklist').last().getByLabel(/Sleep study/).isChecked()).toBe(true);
  }, 60_000);

  /** A submitted claim, `daysAgo` days before today where the practice is, as the claims desk stores it. */
  const seedClaim = async (caseId: string, payer: string, payerKind: MedicalPayer, billedCents: number, daysAgo: number, reference?: string) => {
    const claims = claimService(app.storage);
    const plan = (await claims.draft(
      { caseId, payer, payerKind, lane: 'medical', procedures: ['D7240'], diagnoses: ['K01.1'], billedCents, serviceDate: addDays(today, -daysAgo - 3), submittedDate: addDays(today, -daysAgo), ...(reference ? { reference } : {}) },
      { who: 'test', surface: 'test' },
    ));
    if (!plan.ok) throw new Error(plan.problem);
    expect((await claims.commit(plan))).toBe(true);
  };

  it('shows the claims due today, records a payment from the list, and leaves the paid claim off it', async () => {
    await seedClaim('C-7K3Q9', 'Aetna', 'commercial', 41250, 30);
    await seedClaim('C-8M4R2', 'Medicare Part B', 'medicare', 98000, 40, 'A1005'); // the practice's claim number, shown beside the case ID
    const page = await browser.newPage();
    await page.goto(running.url);
    const chat = page.getByRole('tabpanel', { name: 'Chat' });
    const todayView = page.getByRole('tabpanel', { name: 'Today' });
    await chat.getByText(/medbill helps/).first().waitFor();

    await page.getByRole('tab', { name: 'Today' }).click();
    await todayView.getByText(/^As of /).waitFor();
    expect(await chat.isHidden()).toBe(true);
    // On the practice's clock, named, whatever the browser's zone.
    expect(await todayView.getByText(/^As of /).textContent()).toMatch(/^As of \w{3}, \w{3} \d{1,2}, \d{4}, .* C[SD]T$/);
    expect(await todayView.textContent()).toContain(`Claims for ${showDate(today)}: 2 to act on.`);
    expect(await todayView.textContent()).toContain('Overdue follow-ups (2)');
    const line = todayView.locator('.item', { hasText: 'C-7K3Q9' });
    const lineText = await line.textContent();
    expect(lineText).toContain('Aetna');
    expect(lineText).toContain('$412.50');
    expect(lineText).toContain('30 days since submission');
    expect(lineText).toContain(`follow-up was due ${showDate(addDays(today, -16))}`);
    await page.screenshot({ path: join(dbPath, '..', 'today.png'), fullPage: true });

    // "Paid" asks, in the chat, how much was paid: a form to fill in.
    await line.getByRole('button', { name: 'Paid' }).click();
    await chat.getByText('How much did the payer pay on C-7K3Q9?', { exact: false }).waitFor();
    expect(await todayView.isHidden()).toBe(true);
    const form = chat.locator('form', { hasText: 'Payment for C-7K3Q9' });
    await form.getByLabel('Amount paid ($)').fill('412.50');
    await form.getByRole('button', { name: 'Record payment' }).click();
    const recorded = chat.getByText(/^Recorded for C-7K3Q9: paid \$412\.50 on /);
    await recorded.waitFor();
    expect(await recorded.textContent()).toContain(`paid $412.50 on ${showDate(today)}. It is now paid; no more follow-up.`);
    // What the person submitted is echoed by the fields' labels, not their internal names.
    const echo = await chat.locator('.msg.me').last().textContent();
    expect(echo).toMatch(/^Payment for C-7K3Q9: Amount paid \(\$\): 412\.50/);
    expect(echo).not.toMatch(/\bamount 412/);

    // Back on Today, the list is asked for again: the paid claim is gone, the other is still overdue.
    await page.getByRole('tab', { name: 'Today' }).click();
    await todayView.getByText(/^As of /).waitFor();
    const after = await todayView.textContent();
    expect(after).toContain(`Claims for ${showDate(today)}: 1 to act on.`);
    expect(after).toContain('Overdue follow-ups (1)');
    expect(after).toContain('C-8M4R2 · A1005 · Medicare Part B');
    expect(after).not.toContain('C-7K3Q9');
    // The chat kept what was said there.
    await page.getByRole('tab', { name: 'Chat' }).click();
    expect(await chat.getByText(/^Recorded for C-7K3Q9/).isVisible()).toBe(true);
    await page.screenshot({ path: join(dbPath, '..', 'today-paid.png'), fullPage: true });
  }, 60_000);

  it('draws the report chart as a picture that fits a narrow column', async () => {
    await seedClaim('C-9P2W5', 'UnitedHealthcare', 'commercial', 150000, 70);
    const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
    await page.goto(running.url);
    await page.locator('#say').fill('report');
    await page.locator('#say').press('Enter');
    const chart = page.getByRole('img', { name: 'A/R aging by payer' });
    await chart.waitFor();
    // Drawn (the page's CSP lets the <img> load its blob: URL), and no wider than the message it is in.
    await expect.poll(() => chart.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    const picture = await chart.boundingBox();
    const message = await page.locator('.msg', { has: chart }).boundingBox();
    expect(picture!.width).toBeGreaterThan(100);
    expect(picture!.x + picture!.width).toBeLessThanOrEqual(message!.x + message!.width);
    await page.screenshot({ path: join(dbPath, '..', 'report.png'), fullPage: true });
  }, 60_000);
});
