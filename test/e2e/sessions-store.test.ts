/**
 * The product in the browser, beyond retrieves: a C-STORE of a DICOM file
 * picked in the operations panel (uploaded, then sent to the built-in PACS);
 * the PDU level with the hex view of a clicked PDU; the sessions panel
 * listing this run's recording and a capture copied into the sessions folder,
 * opening the capture (diagram, inspector details and bytes come from it) and
 * going back to live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, openProduct, REPO_ROOT, type RunningServe } from './harness.ts';
import { arrows, waitForResult } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function firstDicomFile(dir: string): Promise<string> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.dcm')) return join(e.parentPath, e.name);
  }
  throw new Error(`no .dcm under ${dir}`);
}

describe('C-STORE, PDU bytes and sessions in the browser', () => {
  it('stores a picked DICOM file with C-STORE and draws it', async () => {
    const page = browser.page;
    const file = await firstDicomFile(join(serve.dataDir, 'pacs'));
    const panel = page.locator('[data-testid=operations]');
    await panel.locator('select[name=op]').selectOption('store');
    await panel.locator('input[name=files]').setInputFiles({ name: 'picked.dcm', mimeType: 'application/dicom', buffer: await readFile(file) });
    await panel.locator('[data-testid=op-run]').click();
    const line = await waitForResult(page, /store: success 0x0000.*sent 1 of 1/);
    expect(line).toContain('sent 1 of 1');
    await page.locator('[data-testid=arrow][data-command=C-STORE-RSP]').waitFor({ timeout: 10_000 });
    const drawn = await arrows(page);
    expect(drawn.map((a) => a.command)).toEqual(['C-STORE-RQ', 'C-STORE-RSP']);
    expect(drawn[1].text).toContain('Success');

    // A file that is not DICOM is refused before any association, with the reason.
    await panel.locator('input[name=files]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await panel.locator('[data-testid=op-run]').click();
    await waitForResult(page, /error: notes\.txt is not a DICOM Part 10 file/);
    await browser.screenshot('store-from-ui');
  });

  it('shows every PDU with the PDU toggle and the clicked PDU\'s bytes', async () => {
    const page = browser.page;
    await page.locator('[data-testid=toggle-pdus]').check();
    const first = page.locator('[data-testid=pdu-arrow]').first();
    await first.waitFor({ timeout: 5_000 });
    const commands = await page.$$eval('[data-testid=pdu-arrow]', (els) => els.map((e) => e.getAttribute('data-command')));
    expect(commands[0]).toBe('A-ASSOCIATE-RQ');
    expect(commands).toContain('P-DATA-TF');
    expect(commands.at(-1)).toBe('A-RELEASE-RP');
    await first.click();
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.filter({ hasText: 'A-ASSOCIATE-RQ' }).waitFor({ timeout: 5_000 });
    const bytes = inspector.locator('[data-testid=hex] .b');
    await bytes.first().waitFor({ timeout: 5_000 });
    // PS3.8 §9.3.2: type 01, reserved 00, then the length; protocol version 0001 at offset 6.
    const hex = await bytes.allTextContents();
    expect(hex.slice(0, 8)).toEqual(['01', '00', '00', '00', expect.any(String), expect.any(String), '00', '01']);
    // Called AE title at bytes 10–25 (space padded).
    expect(hex.slice(10, 26).join('')).toBe(Buffer.from(serve.pacsAe.padEnd(16)).toString('hex'));
    await browser.screenshot('pdu-hex');
    await page.locator('[data-testid=toggle-pdus]').uncheck();
  });

  it('lists the sessions folder, opens a capture with its details and goes back to live', async () => {
    const page = browser.page;
    const sessionsDir = join(serve.dataDir, 'sessions');
    await copyFile(join(REPO_ROOT, 'test/fixtures/pcap/dcmtk-store.pcapng'), join(sessionsDir, 'site-capture.pcapng'));
    const panel = page.locator('[data-testid=sessions]');
    await panel.locator('[data-action=refresh-sessions]').click();
    await panel.locator('[data-testid=session]', { hasText: 'site-capture.pcapng' }).waitFor({ timeout: 5_000 });
    const items = await panel.locator('[data-testid=session]').allTextContents();
    expect(items.some((t) => /pacscope-.*\.pacscope.*recording · .*recording now/.test(t))).toBe(true);

    await panel.locator('[data-testid=session]', { hasText: 'site-capture.pcapng' }).locator('[data-action=open-session]').click();
    await panel.locator('[data-testid=showing]', { hasText: 'Showing site-capture.pcapng' }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=lifeline][data-ae=STORESCU]').waitFor({ timeout: 10_000 });
    const drawn = await arrows(page);
    expect(drawn[0].command).toBe('C-STORE-RQ');
    await page.locator('[data-testid=arrow]').first().click();
    const inspector = page.locator('[data-testid=inspector]');
    // The full command set comes from the opened session on the server, the bytes too.
    await inspector.locator('tr[data-keyword=AffectedSOPInstanceUID]').waitFor({ timeout: 10_000 });
    await inspector.locator('[data-testid=hex] .b').first().waitFor({ timeout: 5_000 });
    expect(await inspector.locator('[data-testid=hex] .b').first().textContent()).toBe('04');
    await browser.screenshot('session-opened');

    await panel.locator('[data-action=go-live]').click();
    await panel.locator('[data-testid=showing]', { hasText: 'Showing the live session' }).waitFor({ timeout: 5_000 });
    await page.locator('[data-testid=arrow][data-command=C-STORE-RSP]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=lifeline][data-ae=STORESCU]').count()).toBe(0);
  });
});
