import { IsString, Length } from 'class-validator';

/** The checkout form: the whole cart, under the idempotency key the cart page rendered into it. */
export class CheckoutForm {
  @IsString()
  @Length(1, 255)
  idempotencyKey: string;
}
