/**
 * The acceptance flow of issue 4 in real Chromium: `pacscope serve` runs, the
 * page is open, a C-MOVE is started from the operations panel against the
 * built-in PACS to STORESCP, and the diagram shows the lifelines, the arrows
 * with their pending counters, the sub-association under the C-MOVE and the
 * final status; then the PACS panel switches to asynchronous C-MOVE and the
 * final response comes before the first C-STORE; clicking an arrow fills the
 * inspector, with the hex view of the PDU carrying it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { arrows, lifelines, moveFlow, runOperation, until, waitForResult } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

const moveOf = (study: number) => ({
  op: 'move' as const,
  host: '127.0.0.1',
  port: serve.pacsPort,
  aet: 'WEBUI',
  aec: serve.pacsAe,
  dest: 'STORESCP',
  level: 'STUDY' as const,
  keys: [`StudyInstanceUID=${studyUid(study)}`],
});

/** The association of the newest C-MOVE-RQ not in `seen`. */
async function newMoveAssociation(seen: Set<string>): Promise<string> {
  const list = await until(() => arrows(browser.page), (as) => as.some((a) => a.command === 'C-MOVE-RQ' && !seen.has(a.association)), 'a new C-MOVE-RQ arrow');
  return list.filter((a) => a.command === 'C-MOVE-RQ' && !seen.has(a.association)).at(-1)!.association;
}

describe('C-MOVE from the operations panel', () => {
  const seen = new Set<string>();

  it('sync: lifelines, arrows, pending counters, the sub-association under the C-MOVE, the final status', async () => {
    const { page } = browser;
    await runOperation(page, moveOf(1));
    expect(await waitForResult(page, /success/i)).toMatch(/success/i);
    const moveAssoc = await newMoveAssociation(seen);
    seen.add(moveAssoc);
    // Study 1 has 4 instances: 3 pending responses, the final one, 4 C-STOREs on the sub-association.
    const flow = await until(() => moveFlow(page, moveAssoc), (f) => !!f.final && f.pending.length === 3 && f.stores.length === 4, 'the whole C-MOVE drawn');

    const lines = await lifelines(page);
    const x = (ae: string) => lines.find((l) => l.ae === ae)?.x ?? NaN;
    expect(lines.map((l) => l.ae)).toEqual(expect.arrayContaining(['WEBUI', 'PACSCOPE', 'STORESCP']));
    expect(lines.find((l) => l.ae === 'STORESCP')?.endpoint).toBe(`127.0.0.1:${serve.storePort}`);
    expect(lines.some((l) => l.ae === 'PACSCOPE' && l.endpoint === `127.0.0.1:${serve.pacsPort}`)).toBe(true);
    // Left to right: SCU, SCP, destination.
    expect(x('WEBUI')).toBeLessThan(x('PACSCOPE'));
    expect(x('PACSCOPE')).toBeLessThan(x('STORESCP'));

    expect(flow.rq?.text).toMatch(/C-MOVE-RQ #\d+ STUDY → STORESCP/);
    expect(flow.pending.map((a) => a.text.match(/Pending R=\d+ C=\d+ F=\d+ W=\d+/)?.[0])).toEqual(['Pending R=3 C=1 F=0 W=0', 'Pending R=2 C=2 F=0 W=0', 'Pending R=1 C=3 F=0 W=0']);
    expect(flow.final).toMatchObject({ status: '0x0000' });
    expect(flow.final?.text).toMatch(/Success C=4/);

    // The sub-association: one, released, drawn under the C-MOVE-RQ.
    expect(flow.subs).toHaveLength(1);
    expect(flow.subs[0].outcome).toBe('released');
    expect(flow.subs[0].top).toBeGreaterThanOrEqual(flow.rq!.y - 1);
    const sub = page.locator(`[data-testid=association][data-association="${flow.subs[0].id}"]`);
    await expect(sub.getAttribute('data-parent')).resolves.toBe(moveAssoc);
    expect(flow.stores.every((s) => /C-STORE-RQ/.test(s.text))).toBe(true);
    // Synchronous: every C-STORE-RQ is drawn before the final C-MOVE-RSP.
    expect(Math.max(...flow.stores.map((s) => s.y))).toBeLessThan(flow.final!.y);
    await browser.screenshot('move-sync');
  });

  it('async (PACS panel): the final C-MOVE-RSP comes before the first C-STORE-RQ', async () => {
    const { page } = browser;
    await page.locator('[data-testid=pacs-panel] select[name=moveMode]').selectOption('async');
    await until(
      async () => ((await (await fetch(`http://127.0.0.1:${serve.httpPort}/api/pacs`)).json()) as { moveMode: string }).moveMode,
      (m) => m === 'async',
      'the PACS in async mode',
    );
    await runOperation(page, moveOf(2));
    await waitForResult(page, /success/i);
    const moveAssoc = await newMoveAssociation(seen);
    seen.add(moveAssoc);
    // Study 2 has 4 instances; asynchronous as Orthanc with SynchronousCMove false: the pendings and the final
    // "completed 4" at once, counting what was queued, all drawn above the first C-STORE-RQ.
    const flow = await until(() => moveFlow(page, moveAssoc), (f) => !!f.final && f.stores.length === 4, 'the async C-MOVE drawn');
    expect(flow.pending.map((a) => a.text.match(/Pending R=\d+ C=\d+ F=\d+ W=\d+/)?.[0])).toEqual(['Pending R=3 C=1 F=0 W=0', 'Pending R=2 C=2 F=0 W=0', 'Pending R=1 C=3 F=0 W=0']);
    expect(flow.final?.text).toMatch(/Success C=4/);
    expect(flow.subs).toHaveLength(1);
    expect(flow.final!.y).toBeLessThan(Math.min(...flow.stores.map((s) => s.y)));
    await browser.screenshot('move-async');
  });

  it('clicking an arrow shows its command fields, identifier and contexts in the inspector', async () => {
    const { page } = browser;
    const all = await arrows(page);
    // The newest C-MOVE (study 2): the diagram follows the live end, so it is in view.
    const rq = all.filter((a) => a.command === 'C-MOVE-RQ').at(-1)!;
    await page.locator(`[data-testid=arrow][data-index="${rq.index}"]`).click();
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.filter({ hasText: 'MoveDestination' }).waitFor({ timeout: 10_000 });
    const text = (await inspector.textContent()) ?? '';
    expect(text).toContain('CommandField');
    expect(text).toContain('STORESCP');
    expect(text).toContain(studyUid(2)); // the identifier
    expect(text).toMatch(/Study Root|1\.2\.840\.10008\.5\.1\.4\.1\.2\.2\.2/); // the presentation context's abstract syntax

    // The hex view of the P-DATA-TF carrying the command; clicking a command row highlights its bytes.
    const firstByte = inspector.locator('[data-testid=hex] .b').first();
    await firstByte.waitFor({ timeout: 10_000 });
    expect(await firstByte.textContent()).toBe('04');
    await inspector.locator('tr[data-keyword=MoveDestination]').click();
    await inspector.locator('[data-testid=hex] .b.hl').first().waitFor({ timeout: 5_000 });
    const highlighted = (await inspector.locator('[data-testid=hex] .b.hl').allTextContents()).join('');
    expect(highlighted).toContain(Buffer.from('STORESCP').toString('hex'));
    expect(highlighted.startsWith('0000')).toBe(true); // the tag (0000,0600), little endian: 00 00 00 06
    expect(browser.errors).toEqual([]);
    await browser.screenshot('inspector');
    await inspector.locator('[data-testid=hex]').scrollIntoViewIfNeeded();
    await browser.screenshot('inspector-hex');
  });
});
