import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { OptionalField } from '../../common/http/dto-fields';
import { normalizeEmail } from '../email';

/** Emails enter in their one normalised form (NFC, case-folded): lookup, uniqueness and lockout all see it. */
const normalizedEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value);

export class RegisterDto {
  @ApiProperty({
    // No `format: email`: that format is ASCII-only, and addresses may hold any Unicode.
    maxLength: 254,
    example: 'ada@example.com',
    description: 'Unique after Unicode NFC normalisation and case folding, and stored in that form',
  })
  @Transform(normalizedEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({
    example: 'correct horse battery',
    minLength: 8,
    maxLength: 128,
    description: 'Hashed (scrypt) in its Unicode NFC form',
  })
  @IsString()
  @Length(8, 128, { message: 'password must be 8–128 characters' })
  password: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 100 })
  @OptionalField()
  @IsString()
  @MaxLength(100)
  name?: string;
}

export class LoginDto {
  @ApiProperty({ maxLength: 254, example: 'ada@example.com' })
  @Transform(normalizedEmail)
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MaxLength(128)
  password: string;
}
