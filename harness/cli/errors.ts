/** Errors the CLI turns into a one-line message and exit status 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The machine lacks a privilege, a tool or a target: the message says how to fix it. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}
