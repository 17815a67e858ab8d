import { hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  let hash: string;

  beforeAll(async () => {
    hash = await hashPassword('correct horse battery staple');
  });

  it('produces a self-describing scrypt$N$r$p$salt$key string', () => {
    const parts = hash.split('$');
    expect(parts).toHaveLength(6);
    const [scheme, n, r, p, salt, key] = parts;
    expect(scheme).toBe('scrypt');
    expect([n, r, p]).toEqual(['32768', '8', '1']);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(key, 'base64')).toHaveLength(64);
  });

  it('salts every hash, so one password hashes differently twice', async () => {
    const again = await hashPassword('correct horse battery staple');
    expect(again).not.toBe(hash);
    expect(again.split('$')[4]).not.toBe(hash.split('$')[4]);
  });

  it('verifies the right password', async () => {
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
  });

  it('rejects a wrong password', async () => {
    await expect(verifyPassword('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('rejects a key that was tampered with', async () => {
    const parts = hash.split('$');
    const key = Buffer.from(parts[5], 'base64');
    key[0] ^= 0xff;
    parts[5] = key.toString('base64');
    await expect(verifyPassword('correct horse battery staple', parts.join('$'))).resolves.toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'correct horse battery staple'],
    ['another scheme', 'bcrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5'],
    ['a hash without its key', 'scrypt$32768$8$1$c2FsdA=='],
  ])('rejects %s as the stored hash', async (_label, stored) => {
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(false);
  });

  it.each([
    ['a non-numeric N', (h: string) => h.replace('scrypt$32768$', 'scrypt$abc$')],
    ['an N that is not a power of two', (h: string) => h.replace('scrypt$32768$', 'scrypt$1000$')],
    ['an N too large to allow', (h: string) => h.replace('scrypt$32768$', 'scrypt$4194304$')],
  ])('rejects a stored hash with %s without throwing', async (_label, corrupt) => {
    await expect(verifyPassword('correct horse battery staple', corrupt(hash))).resolves.toBe(false);
  });
});
