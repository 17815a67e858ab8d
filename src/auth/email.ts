/**
 * The one form an email is looked up, stored, kept unique and locked out under: trimmed,
 * Unicode NFC, and case-folded. `toUpperCase().toLowerCase()` stands in for full case
 * folding (JavaScript has none built in): it also folds `ß` with `ss`, final `ς` with
 * `σ` and ligatures such as `ﬁ` with `fi`, which a plain `toLowerCase()` keeps apart.
 * Applied where input enters (the request DTOs, `ADMIN_EMAIL`).
 *
 * @example normalizeEmail(' Straße@Example.COM ') // 'strasse@example.com'
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}
