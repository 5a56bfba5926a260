/**
 * The replay of a recorded session as a rune class: off (the whole session),
 * or a cursor `time` (seconds from the start) that plays at a speed from
 * 0.25× to 16×, steps one message at a time, jumps to the start, the end or
 * where the timeline is clicked. The diagram shows replayCut(summary, time)
 * while it is on.
 *
 * Idle stretches longer than `gapThreshold` are shortened
 * (shared/view/replay-gaps.ts): the clock runs on play time, the cursor stays
 * in session time, so the diagram, the position and the narration never see
 * the difference.
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { replayDuration, stepTime } from './cut.ts';
import { DEFAULT_GAPS, eventTimes, idleGaps, toPlay, toSession, type IdleGap } from '../../../../shared/view/replay-gaps.ts';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;

export class Replay {
  /** False: the whole session is shown. */
  active = $state(false);
  time = $state(0);
  playing = $state(false);
  speed = $state(1);
  /** Shorten stretches with nothing on the wire longer than `gapThreshold` seconds. */
  shortenGaps = $state(true);
  gapThreshold = $state(DEFAULT_GAPS.threshold);

  #summary: () => Summary;
  #frame: number | null = null;
  #last = 0;

  /** The idle gaps shortened (none when shortening is off); recomputed only when the session or the settings change. */
  readonly gaps: IdleGap[] = $derived.by(() => {
    const threshold = Number(this.gapThreshold);
    if (!this.shortenGaps || !(threshold > 0)) return [];
    return idleGaps(eventTimes(this.#summary()), { threshold, keep: DEFAULT_GAPS.keep });
  });

  constructor(summary: () => Summary) {
    this.#summary = summary;
  }

  get duration(): number {
    return replayDuration(this.#summary());
  }

  /** The length of the replay on its own clock (idle gaps shortened). */
  get playDuration(): number {
    return toPlay(this.duration, this.gaps);
  }

  /** Where the cursor is on the replay's clock. */
  get playTime(): number {
    return toPlay(this.time, this.gaps);
  }

  play(): void {
    if (!this.active || this.time >= this.duration) this.seek(0);
    this.playing = true;
    this.#last = performance.now();
    const tick = (now: number) => {
      if (!this.playing) return;
      const next = this.playTime + ((now - this.#last) / 1000) * this.speed;
      this.#last = now;
      if (next >= this.playDuration) {
        this.time = this.duration;
        this.playing = false;
        this.#frame = null;
        return;
      }
      this.time = toSession(next, this.gaps);
      this.#frame = requestAnimationFrame(tick);
    };
    this.#frame = requestAnimationFrame(tick);
  }

  pause(): void {
    this.playing = false;
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#frame = null;
  }

  /** One message forward or back (pauses). */
  step(dir: 1 | -1): void {
    this.pause();
    const from = this.active ? this.time : dir === 1 ? -1 : this.duration;
    this.active = true;
    this.time = stepTime(this.#summary(), from, dir);
  }

  /** Jumps to `t` seconds of session time (clamped), replay on. */
  seek(t: number): void {
    this.active = true;
    this.time = Math.min(Math.max(t, 0), this.duration);
  }

  /** Jumps to `p` seconds of the replay's clock (the timeline's axis). */
  seekPlay(p: number): void {
    this.seek(toSession(p, this.gaps));
  }

  /** To the start (nothing shown yet) or the end (everything), paused. */
  jump(to: 'start' | 'end'): void {
    this.pause();
    this.seek(to === 'start' ? 0 : this.duration);
  }

  /** Back to the whole session. */
  stop(): void {
    this.pause();
    this.active = false;
    this.time = 0;
  }
}
