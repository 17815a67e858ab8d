import { Logger } from '@nestjs/common';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
  TypeORMError,
} from 'typeorm';
import { databaseErrorMapper, DatabaseUnavailableError, isDatabaseUnavailable } from './database-errors';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });
const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET', 'read ECONNRESET')],
    ['an unknown host', withCode('ENOTFOUND')],
    ['the pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['the client-side query_timeout', new Error('Query read timeout')],
    ['a client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    ['statement_timeout (57014) in a QueryFailedError', queryFailed(withCode('57014', 'canceling statement'))],
    ['an admin shutdown (57P01)', queryFailed(withCode('57P01', 'terminating connection'))],
    ['a crash shutdown (57P02)', queryFailed(withCode('57P02', 'terminating connection because of crash'))],
    ['a session ended while the transaction was between statements', new QueryRunnerAlreadyReleasedError()],
    ['manager.query on a runner released under it', new QueryRunnerProviderAlreadyReleasedError()],
    ['a released runner as a driverError', queryFailed(new QueryRunnerProviderAlreadyReleasedError())],
    ['a released runner as the cause', new Error('wrapped', { cause: new QueryRunnerAlreadyReleasedError() })],
    ['an admin shutdown (57P01) as the cause', new Error('wrapped', { cause: withCode('57P01') })],
    ['a terminated connection in a QueryFailedError', queryFailed(new Error('Connection terminated'))],
    [
      'a client gone unqueryable in a QueryFailedError',
      queryFailed(new Error('Client has encountered a connection error and is not queryable')),
    ],
    ['the server starting up (57P03) in a QueryFailedError', queryFailed(withCode('57P03'))],
    ['the server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['too many connections (53300)', withCode('53300')],
    ['a connection exception (class 08)', withCode('08006')],
    ['a reset inside a QueryFailedError', queryFailed(withCode('ECONNRESET'))],
    ['a reset as the cause', new Error('wrapped', { cause: withCode('ECONNREFUSED') })],
    ['every address refused', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
  ])('recognises %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', queryFailed(withCode('23505', 'duplicate key'))],
    ['a syntax error', queryFailed(withCode('42601', 'syntax error'))],
    ['a check violation', queryFailed(withCode('23514'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a message that merely mentions a refused connection', new Error('connection to db-internal:5432 refused')],
    ['another TypeORM error', new TypeORMError('No metadata for "Nothing" was found.')],
    ['a non-error value', 'boom'],
    ['null', null],
  ])('leaves %s alone', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops on a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b: Error & { cause?: unknown } = new Error('b', { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe('DatabaseUnavailableError', () => {
  it('is a 503 DATABASE_UNAVAILABLE with Retry-After', () => {
    const error = new DatabaseUnavailableError();
    expect(error).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE', headers: { 'Retry-After': '5' } });
  });
});

describe('databaseErrorMapper', () => {
  it('maps an unavailable database to DatabaseUnavailableError, leaves other errors, and warns once per 10 s', () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const map = databaseErrorMapper(logger);
    expect(map(withCode('ECONNREFUSED'))).toBeInstanceOf(DatabaseUnavailableError);
    expect(map(withCode('ECONNREFUSED'))).toBeInstanceOf(DatabaseUnavailableError);
    expect(map(queryFailed(withCode('23505', 'duplicate key')))).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('maps a query runner released under a request (a terminated session) to DatabaseUnavailableError', () => {
    const logger = new Logger('test');
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const map = databaseErrorMapper(logger);
    expect(map(new QueryRunnerProviderAlreadyReleasedError())).toBeInstanceOf(DatabaseUnavailableError);
  });
});
