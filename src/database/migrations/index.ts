import { UsersAndProducts1795900000000 } from './1795900000000-users-and-products';
import { Orders1795900100000 } from './1795900100000-orders';
import { IdempotentAnswerBytes1795900400000 } from './1795900400000-idempotent-answer-bytes';

/** Every migration, oldest first. Listed rather than globbed so the build needs no file scanning. */
export const MIGRATIONS = [UsersAndProducts1795900000000, Orders1795900100000, IdempotentAnswerBytes1795900400000];
