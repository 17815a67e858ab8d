import type { DomainError } from '../errors/domain-error';

/**
 * Recognises an error that a layer below HTTP throws (a driver's, a client library's) and
 * says which {@link DomainError} it means, or `undefined` when it is not one it knows.
 * The layer that knows its errors provides its mapper; the exception filter asks each
 * in turn, so common/ never imports that layer.
 *
 * @example
 * const mapper: ErrorMapper = (error) => (isDatabaseUnavailable(error) ? new DatabaseUnavailableError() : undefined);
 */
export type ErrorMapper = (error: unknown) => DomainError | undefined;

/** Injection token of the `ErrorMapper[]` the exception filter asks, in order (listed in app.module.ts). */
export const ERROR_MAPPERS = Symbol('ERROR_MAPPERS');
