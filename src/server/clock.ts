// The coarse clock: one timer a second refreshes the Date header line and the time
// timeouts are measured with, so no request reads the system clock or formats a date
// (uWebSockets' LoopData keeps the same one-second date).

/** 'date: <IMF-fixdate>\r\n', rewritten in place by the timer (never per request). */
export const DATE_LINE = Buffer.alloc(6 + 29 + 2);
DATE_LINE.write('date: ', 0, 'latin1');
DATE_LINE.write('\r\n', 35, 'latin1');

/** Coarse time (ms) for timeouts: up to a second stale. */
export let now = Date.now();

function tick(): void {
  now = Date.now();
  DATE_LINE.write(new Date(now).toUTCString(), 6, 'latin1');
}
tick();

let clockTimer: NodeJS.Timeout | null = null;
let clockUsers = 0;

/** Every listening server starts the clock; it stops when the last one stops. */
export function startClock(): void {
  if (clockUsers++ === 0) {
    tick();
    clockTimer = setInterval(tick, 1000);
    clockTimer.unref();
  }
}

export function stopClock(): void {
  if (--clockUsers === 0 && clockTimer !== null) {
    clearInterval(clockTimer);
    clockTimer = null;
  }
}
