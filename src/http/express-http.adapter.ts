import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createServer, type ServerOptions } from 'node:http';
import type { FrontDoor } from './front-door';

/**
 * Nest's Express adapter, but its `http.Server` is created with our options
 * (limits and timeouts) and every request passes the {@link FrontDoor} first.
 */
export class ExpressHttpAdapter extends ExpressAdapter {
  constructor(
    private readonly serverOptions: ServerOptions,
    private readonly door: FrontDoor,
  ) {
    super();
  }

  override initHttpServer(_options: NestApplicationOptions): void {
    const express = this.getInstance();
    this.httpServer = createServer(this.serverOptions, (req, res) => this.door.handle(req, res, express));
  }
}
