/**
 * The shape of a JSON text, measured without parsing it: how deeply its arrays and objects nest
 * and how many values they hold. One pass over the characters with no recursion, so a hostile
 * text costs time linear in its length and nothing on the stack.
 */

export interface ShapeLimits {
  /** Deepest nesting of arrays and objects accepted (`[[1]]` is 2). */
  depth: number;
  /** Most values accepted inside all arrays and objects together (`{"a":[1,2]}` holds 3). */
  items: number;
}

/** Why `text` exceeds `limits`, or null when it is within them (or is not JSON at all: the parser says so). */
export function jsonShapeProblem(text: string, limits: ShapeLimits, from = 0): string | null {
  let depth = 0;
  let items = 0;
  let inString = false;
  let empty = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    switch (c) {
      case 0x22: // "
        inString = true;
        break;
      case 0x5b: // [
      case 0x7b: // {
        if (empty && ++items > limits.items) return `more than ${limits.items} values`;
        if (++depth > limits.depth) return `nested deeper than ${limits.depth} levels`;
        empty = true;
        continue;
      case 0x2c: // ,
        if (++items > limits.items) return `more than ${limits.items} values`;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        depth--;
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        continue;
    }
    // The first value of a container counts as an item (later ones are counted by their comma).
    if (empty && c !== 0x5d && c !== 0x7d) {
      if (++items > limits.items) return `more than ${limits.items} values`;
    }
    empty = false;
  }
  return null;
}
