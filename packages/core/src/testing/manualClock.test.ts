import { describe, expect, it } from 'vitest';
import { sleep } from '../shared/clock.js';
import { createManualClock } from './manualClock.js';

describe('createManualClock', () => {
  it('starts at 2026-01-01T00:00:00Z by default, or at the given time, and stands still', () => {
    expect(createManualClock().now()).toBe(Date.UTC(2026, 0, 1));
    const clock = createManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(createManualClock({ startMs: 5 }).now()).toBe(5);
    expect(clock.now()).toBe(1_000);
  });

  it('runs due timers in time order, ties in scheduling order, with now() at each due time', async () => {
    const clock = createManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`b1@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`b2@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push('late'), 31);

    await clock.advance(30);

    expect(seen).toEqual(['a@10', 'b1@20', 'b2@20', 'c@30']);
    expect(clock.now()).toBe(30);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()).toBe(31);
  });

  it('runs timers scheduled by callbacks during the same advance, and not those beyond it', async () => {
    const clock = createManualClock(0);
    const seen: number[] = [];
    const tick = () => {
      seen.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);

    await clock.advance(35);

    expect(seen).toEqual([10, 20, 30]);
    expect(clock.nextTimerAt()).toBe(40);
  });

  it('lets awaiting code progress between timers', async () => {
    const clock = createManualClock(0);
    const seen: number[] = [];
    const loop = async () => {
      for (let round = 0; round < 3; round += 1) {
        await sleep(clock, 100);
        // Several awaits between timers, as storage calls would make.
        await Promise.resolve();
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        seen.push(clock.now());
      }
    };
    const done = loop();

    await clock.advance(300);

    expect(seen).toEqual([100, 200, 300]);
    await done;
  });

  it('cancels timers, and the cancel function is idempotent', async () => {
    const clock = createManualClock(0);
    let fired = 0;
    const cancel = clock.setTimeout(() => {
      fired += 1;
    }, 10);
    clock.setTimeout(() => {
      fired += 10;
    }, 10);
    expect(clock.pendingTimers()).toBe(2);
    cancel();
    cancel();
    expect(clock.pendingTimers()).toBe(1);

    await clock.advance(10);

    expect(fired).toBe(10);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerAt()).toBeNull();
  });

  it('runs zero-delay timers on flush without moving time', async () => {
    const clock = createManualClock(50);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 0);
    clock.setTimeout(() => undefined, 1);
    expect(fired).toBe(false);

    await clock.flush();

    expect(fired).toBe(true);
    expect(clock.now()).toBe(50);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('set() moves time without running timers; the next advance runs what became due', async () => {
    const clock = createManualClock(0);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 100);

    clock.set(500);
    expect(clock.now()).toBe(500);
    expect(fired).toBe(false);

    await clock.advance(0);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(500);
  });

  it('advanceTo() runs timers up to an absolute time and never goes backwards', async () => {
    const clock = createManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 40);
    clock.setTimeout(() => seen.push(clock.now()), 60);

    await clock.advanceTo(50);
    expect(seen).toEqual([40]);
    expect(clock.now()).toBe(50);

    await clock.advanceTo(10);
    expect(clock.now()).toBe(50);
  });

  it('serializes concurrent advances', async () => {
    const clock = createManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 10);
    clock.setTimeout(() => seen.push(clock.now()), 25);

    await Promise.all([clock.advance(20), clock.advance(20)]);

    expect(seen).toEqual([10, 25]);
    expect(clock.now()).toBe(40);
  });

  it('runAll() runs everything, and stops a timer that reschedules forever', async () => {
    const clock = createManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 1_000);
    }, 5);

    await clock.runAll();
    expect(seen).toEqual([5, 1_005]);
    expect(clock.now()).toBe(1_005);
    expect(clock.pendingTimers()).toBe(0);

    const forever = () => {
      clock.setTimeout(forever, 1);
    };
    clock.setTimeout(forever, 1);
    await expect(clock.runAll(100)).rejects.toThrow(/more than 100 timers/);
  });

  it('keeps running timers after a callback throws, then rejects with its error', async () => {
    const clock = createManualClock(0);
    let after = false;
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    clock.setTimeout(() => {
      after = true;
    }, 2);

    await expect(clock.advance(5)).rejects.toThrow('boom');
    expect(after).toBe(true);
    expect(clock.now()).toBe(5);
    // The clock stays usable.
    await clock.advance(1);
    expect(clock.now()).toBe(6);
  });

  it('rejects a negative advance', async () => {
    const clock = createManualClock(0);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    expect(clock.now()).toBe(0);
  });

  it('works with sleep() and abort', async () => {
    const clock = createManualClock(0);
    const controller = new AbortController();
    const slept = sleep(clock, 1_000, controller.signal);
    expect(clock.pendingTimers()).toBe(1);
    controller.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pendingTimers()).toBe(0);
  });
});
