import { BadRequestParameterError } from '../errors/domain-error';
import { IdParamPipe } from './id-param.pipe';

describe('IdParamPipe', () => {
  const pipe = new IdParamPipe();

  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    ['000000000007', 7],
    ['2147483647', 2_147_483_647],
  ])('parses %j as %i', (raw, id) => {
    expect(pipe.transform(raw)).toBe(id);
  });

  it.each(['0', '000', '-1', '+7', '1.5', 'abc', '', ' 1', '1 ', '1e3', '0x10', '１', '2147483648', '9'.repeat(400)])(
    'refuses %j with 400 INVALID_PARAMETER',
    (raw) => {
      let thrown: unknown;
      try {
        pipe.transform(raw);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BadRequestParameterError);
      expect(thrown).toMatchObject({ status: 400, code: 'INVALID_PARAMETER' });
      expect((thrown as Error).message).toContain(`"${raw}"`);
    },
  );
});
