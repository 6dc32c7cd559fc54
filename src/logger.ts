// The logger a server accepts (the `logger` option): any pino-compatible object. Only the shape is
// named here (a leaf module: config, the error answers and the lifecycle hooks all import it).

/** A pino-compatible logger: `fn(object, message)`. `debug` is used when present. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** The methods a `logger` option must have (validated by src/config.ts). */
export const LOGGER_METHODS = ['info', 'warn', 'error', 'child'] as const;
