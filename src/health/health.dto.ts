import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LiveDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

/** One dependency's state, as the health indicators report it. */
export class DependencyStatusDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  @ApiPropertyOptional({ example: 'Connection is closed.' })
  message?: string;
}

const DEPENDENCIES = {
  type: 'object',
  description: 'By dependency name: `database`, and `redis` / `nats` where configured',
  additionalProperties: { $ref: '#/components/schemas/DependencyStatusDto' },
} as const;

/** What `GET /health/ready` answers when every dependency is up (Terminus's result). */
export class ReadyDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ ...DEPENDENCIES, example: { database: { status: 'up' }, redis: { status: 'up' } } })
  info: Record<string, DependencyStatusDto>;

  @ApiProperty({ ...DEPENDENCIES, description: 'Empty when ready', example: {} })
  error: Record<string, DependencyStatusDto>;

  @ApiProperty({ ...DEPENDENCIES, example: { database: { status: 'up' }, redis: { status: 'up' } } })
  details: Record<string, DependencyStatusDto>;
}
