import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { authUserOf, type AuthUser } from '../common/auth-context/auth-user';
import { clientAddressOf } from '../common/http/client-address';

/**
 * Who a request counts against, for every per-client limit (the per-minute budget, the
 * concurrent list loads): its user when authenticated, else the address `TRUST_PROXY`
 * settles.
 */
export function clientKeyOf(req: IncomingMessage, user: AuthUser | undefined): string {
  return user ? `user:${user.id}` : `ip:${clientAddressOf(req)}`;
}

/** The calling client's key ({@link clientKeyOf}) in a handler: `list(@ClientKey() client: string)`. */
export const ClientKey = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const req = context.switchToHttp().getRequest<IncomingMessage>();
  return clientKeyOf(req, authUserOf(req));
});
