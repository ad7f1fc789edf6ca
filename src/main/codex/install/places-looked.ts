// How a message speaks of the places looked for something: it counts them and points at the
// doctor, which lists them; the list itself travels as data (`looked`) on the result or error.

export function placesLooked(n: number): string {
  return `${n} place${n === 1 ? '' : 's'} looked; \`codex-runner-ipc doctor\` lists them`;
}
