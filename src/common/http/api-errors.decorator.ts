import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

class FieldProblemDto {
  @ApiProperty({ example: 'price' })
  field: string;

  @ApiProperty({ example: 'price must not be less than 0' })
  message: string;
}

/** The contract's one error body, for the OpenAPI document. */
export class ErrorBodyDto {
  @ApiProperty({ example: 409 })
  statusCode: number;

  @ApiProperty({ example: 'Conflict', description: 'The standard reason phrase of the status' })
  error: string;

  @ApiProperty({ example: 'INSUFFICIENT_STOCK', description: 'Stable identifier clients can branch on' })
  code: string;

  @ApiProperty({ example: 'Only 2 left of product 7' })
  message: string;

  @ApiProperty({ example: '5f0c6a3e-8d1b-4a8e-9f7e-2f1d3c4b5a69' })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Only on 400 VALIDATION_FAILED' })
  details?: FieldProblemDto[];
}

/** Documents error answers as `status: 'CODE_A, CODE_B'` pairs, all with the contract's error body. */
export function ApiErrors(errors: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errors).map(([status, codes]) =>
      ApiResponse({
        status: Number(status),
        description: `${STATUS_CODES[Number(status)]}: ${codes}`,
        type: ErrorBodyDto,
      }),
    ),
  );
}
