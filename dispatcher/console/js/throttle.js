/**
 * Runs `fn` at once, then at most once per `ms` while calls keep coming; a call inside the window
 * runs once when it ends, so the last change is always shown. The call list is redrawn this way:
 * a quiet night shows a new call at once, and hundreds of changes a second in a mass event cost
 * ten redraws a second rather than hundreds.
 */
export function throttle(fn, ms, now = () => Date.now(), later = (f, d) => setTimeout(f, d)) {
  let last = -Infinity;
  let pending = false;
  const run = () => {
    pending = false;
    last = now();
    fn();
  };
  return () => {
    if (pending) return;
    const wait = last + ms - now();
    if (wait <= 0) return run();
    pending = true;
    later(run, wait);
  };
}
