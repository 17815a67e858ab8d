import { UsersAndProducts1795900000000 } from './1795900000000-users-and-products';

/** Every migration, oldest first. Listed rather than globbed so the build needs no file scanning. */
export const MIGRATIONS = [UsersAndProducts1795900000000];
