/** A JSON-style object: not null, not an array. What every parser of untrusted JSON here checks first. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
