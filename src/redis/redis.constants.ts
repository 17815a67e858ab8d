/** DI token of the app's one shared Redis command client (ioredis, or an in-process stand-in). */
export const REDIS = Symbol('REDIS');
