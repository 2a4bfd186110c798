// A query's expected failure with its protocol code (an unknown handle, a cancelled query): what the
// handler answers instead of 'failed', which is for anything the method itself threw.
import type { QueryErrorCode } from '../protocol/query';

export class QueryFault extends Error {
  constructor(readonly code: QueryErrorCode, message: string) {
    super(message);
    this.name = 'QueryFault';
  }
}
