import type { RoadmapEvent } from '@roadmap/core';
import { formatEventLine } from './eventLog.js';
import type { ProgressState } from './progressState.js';
import { renderProgress } from './progressView.js';

/** Where the CLI writes: `isTTY` and `columns` as on `process.stdout`. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Shows the progress of a task as events arrive. */
export interface Reporter {
  /** The state after `event`. */
  update(state: ProgressState, event: RoadmapEvent): void;
  /** A message of its own (warnings, engine errors), kept out of the live display. */
  log(line: string): void;
  /** Draws the final state and gives the terminal back. Idempotent. */
  finish(state: ProgressState): void;
}

const ansi = {
  hideCursor: '\u001b[?25l',
  showCursor: '\u001b[?25h',
  /** Moves the cursor up `count` lines to column 1. */
  up: (count: number) => (count > 0 ? `\u001b[${count}F` : '\r'),
  clearDown: '\u001b[0J',
};

/** One line per event, no escape codes: for CI logs and pipes. */
export function createPlainReporter(stream: OutputStream): Reporter {
  return {
    update(_state, event) {
      const line = formatEventLine(event);
      if (line !== null) stream.write(`${line}\n`);
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    finish() {},
  };
}

export interface LiveReporterOptions {
  /** Redraws (and spinner frames) per second at most. Default: 12. */
  framesPerSecond?: number;
}

/**
 * Redraws {@link renderProgress} in place with ANSI escapes. Updates are coalesced into at most
 * `framesPerSecond` redraws, so a burst of events never floods the terminal.
 */
export function createLiveReporter(stream: OutputStream, options: LiveReporterOptions = {}): Reporter {
  const interval = Math.round(1000 / (options.framesPerSecond ?? 12));
  let drawn = 0;
  let frame = 0;
  let latest: ProgressState | null = null;
  let finished = false;

  const draw = () => {
    if (!latest) return;
    const lines = renderProgress(latest, { width: (stream.columns || 80) - 1, frame });
    stream.write(`${ansi.up(drawn)}${ansi.clearDown}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(() => {
    frame += 1;
    draw();
  }, interval);
  timer.unref();
  stream.write(ansi.hideCursor);

  return {
    update(state) {
      latest = state;
      if (drawn === 0) draw();
    },
    log(line) {
      if (finished) {
        stream.write(`${line}\n`);
        return;
      }
      stream.write(`${ansi.up(drawn)}${ansi.clearDown}${line}\n`);
      drawn = 0;
      draw();
    },
    finish(state) {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      latest = state;
      draw();
      stream.write(ansi.showCursor);
    },
  };
}

/** The live display on a terminal, plain lines elsewhere. */
export function createReporter(stream: OutputStream): Reporter {
  return stream.isTTY ? createLiveReporter(stream) : createPlainReporter(stream);
}
