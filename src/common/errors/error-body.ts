import { STATUS_CODES } from 'node:http';
import { FieldProblem } from './domain-error';

/** The one error body of the contract (`API.md` § General). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  requestId: string;
  details?: FieldProblem[];
}

export function errorBody(
  statusCode: number,
  code: string,
  message: string,
  requestId: string,
  details?: FieldProblem[],
): ErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code,
    message,
    requestId,
    ...(details ? { details } : {}),
  };
}
