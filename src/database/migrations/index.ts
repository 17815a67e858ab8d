import { UsersAndProducts1795900000000 } from './1795900000000-users-and-products';
import { Orders1795900100000 } from './1795900100000-orders';
import { OutboxRelayLease1796000000000 } from './1796000000000-outbox-relay-lease';
import { ProductSearchIndex1796000100000 } from './1796000100000-product-search-index';
import { IdempotentAnswerBytes1796000200000 } from './1796000200000-idempotent-answer-bytes';
import { NormaliseEmails1796000300000 } from './1796000300000-normalise-emails';

/** Every migration, oldest first. Listed rather than globbed so the build needs no file scanning. */
export const MIGRATIONS = [
  UsersAndProducts1795900000000,
  Orders1795900100000,
  OutboxRelayLease1796000000000,
  ProductSearchIndex1796000100000,
  IdempotentAnswerBytes1796000200000,
  NormaliseEmails1796000300000,
];
