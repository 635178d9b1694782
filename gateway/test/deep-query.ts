/** `item { reviews { edges { node { item { ... } } } } }` nested `levels` times: depth 1 + 4 x levels + 1. */
export function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `item { reviews(first: 1) { edges { node { ${inner} } } } }`;
  return `{ review(id: "1") { ${inner} } }`;
}
