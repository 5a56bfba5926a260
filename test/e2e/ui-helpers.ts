/**
 * Reading and driving the UI through the test ids of docs/live-api.md: the
 * operations panel, the PACS panel, and the diagram's lifelines, association
 * bars and arrows with where they are drawn.
 */
import type { Page } from 'playwright-core';

export interface OperationForm {
  op: 'echo' | 'find' | 'move' | 'get';
  host: string;
  port: number;
  aet: string;
  aec: string;
  dest?: string;
  level?: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
  /** One `Key=Value` per line. */
  keys?: string[];
}

/** Fills the operations panel and clicks Run. */
export async function runOperation(page: Page, f: OperationForm): Promise<void> {
  const panel = page.locator('[data-testid=operations]');
  await panel.locator('select[name=op]').selectOption(f.op);
  await panel.locator('input[name=host]').fill(f.host);
  await panel.locator('input[name=port]').fill(String(f.port));
  await panel.locator('input[name=aet]').fill(f.aet);
  await panel.locator('input[name=aec]').fill(f.aec);
  if (f.dest !== undefined) await panel.locator('input[name=dest]').fill(f.dest);
  if (f.level !== undefined) await panel.locator('select[name=level]').selectOption(f.level);
  if (f.keys !== undefined) await panel.locator('textarea[name=keys]').fill(f.keys.join('\n'));
  await panel.locator('[data-testid=op-run]').click();
}

/** Waits until the result line matches `re`; returns its text. */
export async function waitForResult(page: Page, re: RegExp, timeoutMs = 20_000): Promise<string> {
  const line = page.locator('[data-testid=op-result]');
  await line.filter({ hasText: re }).waitFor({ timeout: timeoutMs });
  return (await line.textContent()) ?? '';
}

export interface DrawnArrow {
  index: number;
  command: string;
  status: string | null;
  association: string;
  text: string;
  /** Vertical position on the page (top of its box). */
  y: number;
}

export async function arrows(page: Page): Promise<DrawnArrow[]> {
  const list = await page.$$eval('[data-testid=arrow]', (els) =>
    els.map((e) => ({
      index: Number(e.getAttribute('data-index')),
      command: e.getAttribute('data-command') ?? '',
      status: e.getAttribute('data-status'),
      association: e.getAttribute('data-association') ?? '',
      // The visible texts (label, time…) one by one; tooltips (<title>) are not drawn.
      text: Array.from(e.querySelectorAll('text'))
        .map((t) => (t.textContent ?? '').replace(/\s+/g, ' ').trim())
        .join(' | '),
      y: e.getBoundingClientRect().top,
    })),
  );
  return list.sort((a, b) => a.index - b.index);
}

export interface DrawnAssociation {
  id: string;
  outcome: string | null;
  parent: string | null;
  top: number;
}

export async function associations(page: Page): Promise<DrawnAssociation[]> {
  return page.$$eval('[data-testid=association]', (els) =>
    els.map((e) => ({
      id: e.getAttribute('data-association') ?? '',
      outcome: e.getAttribute('data-outcome'),
      parent: e.getAttribute('data-parent'),
      top: e.getBoundingClientRect().top,
    })),
  );
}

export interface DrawnLifeline {
  ae: string;
  endpoint: string | null;
  x: number;
}

export async function lifelines(page: Page): Promise<DrawnLifeline[]> {
  return page.$$eval('[data-testid=lifeline]', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { ae: e.getAttribute('data-ae') ?? '', endpoint: e.getAttribute('data-endpoint'), x: r.left + r.width / 2 };
    }),
  );
}

/**
 * Drawn arrows whose line does not run between its association's two bars
 * (the facing edges, layout-pieces.ts): an arrow left behind when a lane
 * moved. Arrows whose association's bar is not drawn (out of view) are not
 * checked; a refused connection has one bar, which one end must touch.
 */
export async function arrowsOffTheirBars(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=arrow], [data-testid=lifecycle-arrow]', (els) => {
    const off: string[] = [];
    const near = (a: number, b: number) => Math.abs(a - b) < 1.5;
    for (const e of els) {
      const id = e.getAttribute('data-association') ?? '';
      const bar = document.querySelector(`[data-testid=association][data-association="${CSS.escape(id)}"]`);
      const line = e.querySelector('line')?.getBoundingClientRect();
      if (!bar || !line) continue;
      const rects = Array.from(bar.querySelectorAll('rect'), (r) => r.getBoundingClientRect()).sort((a, b) => a.left - b.left);
      const ok =
        rects.length >= 2
          ? near(line.left, rects[0].right) && near(line.right, rects[rects.length - 1].left)
          : rects.some((r) => near(line.left, r.right) || near(line.right, r.left));
      if (!ok) off.push(`${e.getAttribute('data-command')} of ${id}: line ${line.left.toFixed(1)}–${line.right.toFixed(1)}, bars ${rects.map((r) => `${r.left.toFixed(1)}–${r.right.toFixed(1)}`).join(', ')}`);
    }
    return off;
  });
}

/** Polls `read` until `done` holds (the diagram draws as deltas arrive). */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

/** The C-MOVE of one association as drawn: its request, responses, and the sub-association under it. */
export async function moveFlow(page: Page, moveAssociation: string) {
  const all = await arrows(page);
  const mine = all.filter((a) => a.association === moveAssociation);
  const rq = mine.find((a) => a.command === 'C-MOVE-RQ');
  const rsps = mine.filter((a) => a.command === 'C-MOVE-RSP');
  const subs = (await associations(page)).filter((s) => s.parent === moveAssociation);
  const stores = all.filter((a) => subs.some((s) => s.id === a.association) && a.command === 'C-STORE-RQ');
  return { rq, pending: rsps.filter((a) => a.status === '0xFF00'), final: rsps.find((a) => a.status !== '0xFF00'), subs, stores };
}

/** Drops a file on the page as a user dragging it from the desktop would. */
export async function dropFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
      return dt;
    },
    { name, base64: bytes.toString('base64') },
  );
  await page.dispatchEvent('.app', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('.app', 'drop', { dataTransfer: transfer });
}
