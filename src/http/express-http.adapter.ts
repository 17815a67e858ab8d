import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createServer, type ServerOptions } from 'node:http';

/** Nest's Express adapter, but its `http.Server` is created with our options (`maxHeaderSize`). */
export class ExpressHttpAdapter extends ExpressAdapter {
  constructor(private readonly serverOptions: ServerOptions) {
    super();
  }

  override initHttpServer(_options: NestApplicationOptions): void {
    this.httpServer = createServer(this.serverOptions, this.getInstance());
  }
}
