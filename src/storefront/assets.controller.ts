import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/auth-context/auth.decorators';
import type { HttpResponse } from '../common/http/http-message';
import { Assets } from './assets';

/** The storefront's static files, from memory; their names change with their content, so browsers keep them a year. */
@Public()
@ApiExcludeController()
@Controller('assets')
export class AssetsController {
  constructor(@Inject(Assets) private readonly assets: Assets) {}

  @Get(':file')
  file(@Param('file') file: string, @Res({ passthrough: true }) res: HttpResponse): string {
    const asset = this.assets.find(`/assets/${file}`);
    if (!asset) {
      throw new NotFoundException();
    }
    res.header('Content-Type', asset.contentType);
    res.header('Cache-Control', 'public, max-age=31536000, immutable');
    return asset.body;
  }
}
