import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '../user.entity';

export class UserDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 42 })
  id: number;

  // No `format: email`: that format is ASCII-only, and addresses may hold any Unicode (in NFC).
  @ApiProperty({ example: 'ada@example.com', description: 'The email address, NFC-normalised and case-folded' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace', nullable: true, type: String })
  name: string | null;

  @ApiProperty({ enum: ['customer', 'admin'], example: 'customer' })
  role: Role;
}

export class AccessTokenDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' })
  accessToken: string;

  @ApiProperty({ example: 'Bearer', enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ type: 'integer', format: 'int32', example: 86400, description: 'Seconds until the token expires' })
  expiresIn: number;
}
