import { IntField, MAX_INT32 } from '../../common/http/dto-fields';
import { MAX_LINE_QUANTITY } from '../cart.limits';

export class AddCartItemDto {
  @IntField({ min: 1, max: MAX_INT32, example: 7 })
  productId: number;

  @IntField({
    min: 1,
    max: MAX_LINE_QUANTITY,
    example: 2,
    description: `Added to what the line holds; the line may hold at most ${MAX_LINE_QUANTITY}`,
  })
  quantity: number;
}

export class SetCartItemDto {
  @IntField({ min: 0, max: MAX_LINE_QUANTITY, example: 3, description: '0 removes the line' })
  quantity: number;
}
