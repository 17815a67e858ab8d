import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { OptionalField } from '../../common/http/dto-fields';

const trimmedLowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com', description: 'Unique, case-insensitive' })
  @Transform(trimmedLowerCase)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 128 })
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
  @Transform(trimmedLowerCase)
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MaxLength(128)
  password: string;
}
