/**
 * The diagram's warm-up: once a page has drawn its first snapshot and is
 * idle, a second SequenceDiagram, never attached to the document, draws
 * the made-up session of shared/view/diagram/warmup-session.ts stage by
 * stage (a lane inserted among those drawn, arrows added and moved), then
 * goes. It runs the JavaScript of a live update — the incremental layout,
 * the lane shift, Svelte's updates of the arrows — so that the first real
 * association after the page loaded does not run it for the first time
 * (60–160 ms then, ~15 ms afterwards, UI bench). Detached, it adds nothing
 * to the page: no element, no test id, no layout or paint.
 */
import { flushSync, mount, unmount } from 'svelte';
import SequenceDiagram from './SequenceDiagram.svelte';
import { IncrementalLayout } from '../../../../shared/view/diagram/layout.ts';
import { NO_FILTER } from '../../../../shared/view/diagram/filter.ts';
import { warmupSessions } from '../../../../shared/view/diagram/warmup-session.ts';

let done = false;

/** Runs the warm-up once per page, a stage per idle period. */
export function warmUpDiagram(): void {
  if (done || typeof document === 'undefined') return;
  done = true;
  const stages = warmupSessions();
  const layouter = new IncrementalLayout();
  const options = { pdus: false, realTime: false, endpoints: [], filter: NO_FILTER };
  const props = $state({ layout: layouter.update(stages[0], options), selected: null, onselect: () => {} });
  let diagram: ReturnType<typeof mount> | null = null;
  const steps: (() => void)[] = [
    () => {
      diagram = mount(SequenceDiagram, { target: document.createElement('div'), props });
      flushSync();
    },
    ...stages.slice(1).map((stage) => () => {
      props.layout = layouter.update(stage, options);
      flushSync();
    }),
    () => {
      if (diagram) void unmount(diagram);
      // In the page's performance timeline (an end-to-end test waits for it).
      performance.mark('pacscope:warm-up-done');
    },
  ];
  const idle = (run: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: 1000 }) : setTimeout(run, 50));
  const next = () => {
    const step = steps.shift();
    if (!step) return;
    try {
      step();
    } catch (e) {
      // A warm-up that fails costs nothing but its own speed-up.
      console.error('pacscope: the diagram warm-up failed', e);
      performance.mark('pacscope:warm-up-failed', { detail: String(e) });
      steps.length = 0;
      if (diagram) void unmount(diagram);
      return;
    }
    idle(next);
  };
  idle(next);
}
