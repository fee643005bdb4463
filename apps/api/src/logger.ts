/** A minimal structured logger (JSON lines on stderr); tests pass a silent one. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  info: (message, fields) => console.error(JSON.stringify({ level: 'info', message, ...fields })),
  error: (message, error, fields) =>
    console.error(
      JSON.stringify({
        level: 'error',
        message,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        ...fields,
      }),
    ),
};

export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
