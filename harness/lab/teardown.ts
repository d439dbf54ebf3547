/**
 * Cleanups that must run however the process ends: normal exit, an uncaught error, SIGINT or
 * SIGTERM. Each is synchronous, so a signal handler can run them all before the process exits.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // one failed cleanup must not stop the others
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      runAll();
      process.exit(code);
    });
  }
}

/** Registers a cleanup; returns [run it now (once), forget it without running]. */
export function onTeardown(cleanup: Cleanup): [run: () => void, forget: () => void] {
  install();
  cleanups.add(cleanup);
  return [
    () => {
      if (cleanups.delete(cleanup)) cleanup();
    },
    () => void cleanups.delete(cleanup),
  ];
}
