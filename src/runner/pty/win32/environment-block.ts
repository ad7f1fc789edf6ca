// CreateProcessW's lpEnvironment with CREATE_UNICODE_ENVIRONMENT: "NAME=value\0" entries, sorted
// case-insensitively as Windows expects, ended by one more "\0", in UTF-16LE.
export function environmentBlock(env: Record<string, string>): Buffer {
  const entries = Object.entries(env);
  for (const [name, value] of entries) {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new Error(`environment variable ${JSON.stringify(name)} cannot be passed to Windows (empty name, or '=' or NUL in it)`);
    }
  }
  entries.sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0));
  const text = entries.map(([name, value]) => `${name}=${value}\0`).join('') + '\0';
  return Buffer.from(entries.length === 0 ? '\0\0' : text, 'utf16le');
}
