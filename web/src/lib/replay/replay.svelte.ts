/**
 * The replay of a recorded session as a rune class: off (the whole session),
 * or a cursor `time` (seconds from the start) that plays at a speed from
 * 0.25× to 16×, steps one message at a time, or jumps where the timeline is
 * clicked. The diagram shows replayCut(summary, time) while it is on.
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { replayDuration, stepTime } from './cut.ts';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;

export class Replay {
  /** False: the whole session is shown. */
  active = $state(false);
  time = $state(0);
  playing = $state(false);
  speed = $state(1);

  #summary: () => Summary;
  #frame: number | null = null;
  #last = 0;

  constructor(summary: () => Summary) {
    this.#summary = summary;
  }

  get duration(): number {
    return replayDuration(this.#summary());
  }

  play(): void {
    if (!this.active || this.time >= this.duration) this.seek(0);
    this.playing = true;
    this.#last = performance.now();
    const tick = (now: number) => {
      if (!this.playing) return;
      const next = this.time + ((now - this.#last) / 1000) * this.speed;
      this.#last = now;
      if (next >= this.duration) {
        this.time = this.duration;
        this.playing = false;
        this.#frame = null;
        return;
      }
      this.time = next;
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

  /** Jumps to `t` seconds (clamped), replay on. */
  seek(t: number): void {
    this.active = true;
    this.time = Math.min(Math.max(t, 0), this.duration);
  }

  /** Back to the whole session. */
  stop(): void {
    this.pause();
    this.active = false;
    this.time = 0;
  }
}
