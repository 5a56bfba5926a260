/**
 * The diagram's warm-up: once a live page has drawn its first snapshot, a
 * second SequenceDiagram, never attached to the document, draws the
 * made-up session of shared/view/diagram/warmup-session.ts stage by stage
 * (a lane inserted among those drawn, arrows added and moved), then goes.
 * It runs the JavaScript of a live update — the incremental layout, the
 * lane shift, Svelte's updates of the arrows — so that the first real
 * association after the page loaded is not the first to run it. Measured
 * (a 172-message session, its first new C-ECHO-RQ from the wire into view,
 * 8 page loads each, against the build before the warm-up and the
 * diagnosis worker; 3 of the 8 with an earlier variant that spread the
 * warm-up over idle periods): median 93 ms without, 66 ms with, runs
 * ranging 36–111 and 49–90 ms; later messages take ~15 ms. The noise of a
 * 2-CPU machine is as large as the gain. What is left is the browser's
 * side of that first update (style, layout and paint of every arrow a new
 * lane moves), which a
 * detached diagram cannot warm. Detached, it adds nothing to the page: no
 * element, no test id, no layout or paint; it costs 50–90 ms of the main
 * thread once, right after the snapshot is drawn.
 */
import { flushSync, mount, unmount } from 'svelte';
import SequenceDiagram from './SequenceDiagram.svelte';
import { IncrementalLayout } from '../../../../shared/view/diagram/layout.ts';
import { NO_FILTER } from '../../../../shared/view/diagram/filter.ts';
import { warmupSessions } from '../../../../shared/view/diagram/warmup-session.ts';

let done = false;

/** Runs the warm-up once per page. */
export function warmUpDiagram(): void {
  if (done || typeof document === 'undefined') return;
  done = true;
  const stages = warmupSessions();
  const layouter = new IncrementalLayout();
  const options = { pdus: false, realTime: false, endpoints: [], filter: NO_FILTER };
  const props = $state({ layout: layouter.update(stages[0], options), selected: null, onselect: () => {} });
  // All at once, in the task after the one that drew the snapshot: done before live traffic comes, even when it comes
  // at once (the UI bench's first C-ECHO, ~100 ms later); idle periods spread it over up to 0.5 s.
  setTimeout(() => {
    let diagram: ReturnType<typeof mount> | null = null;
    try {
      diagram = mount(SequenceDiagram, { target: document.createElement('div'), props });
      flushSync();
      for (const stage of stages.slice(1)) {
        props.layout = layouter.update(stage, options);
        flushSync();
      }
      void unmount(diagram);
      // In the page's performance timeline (an end-to-end test waits for it).
      performance.mark('pacscope:warm-up-done');
    } catch (e) {
      // A warm-up that fails costs nothing but its own speed-up.
      console.error('pacscope: the diagram warm-up failed', e);
      performance.mark('pacscope:warm-up-failed', { detail: String(e) });
      if (diagram) void unmount(diagram);
    }
  }, 0);
}
