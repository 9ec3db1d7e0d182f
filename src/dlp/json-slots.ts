/**
 * JSON-aware scanning: when an agent's output is JSON (tool parameters, structured responses), its string
 * and number values are scanned one by one, each with its member name as context ("ssn": "…" raises an
 * SSN's score), and rewritten in place, so that the output stays valid JSON of the same shape with the
 * original formatting. The syntax tree comes from momoa (ESLint's JSON parser), which gives every node's
 * offsets in the text.
 */
import { parse as parseJsonAst } from '@humanwhocodes/momoa';
import type { ValueNode } from '@humanwhocodes/momoa';

/** One scannable value of a JSON text. */
export interface JsonSlot {
  /** the member name this value belongs to (for array items, the array's) */
  key: string | undefined;
  /** the decoded value (a number's source text) */
  value: string;
  /** the value's node in the text: the string token with its quotes, or the number's text */
  nodeStart: number;
  nodeEnd: number;
  kind: 'string' | 'number';
  /**
   * true when offsets inside `value` are offsets inside the token (a string without escapes): findings
   * can be replaced in place; otherwise a finding replaces the whole value
   */
  exact: boolean;
}

/** Nesting beyond this is not walked as JSON (the text is then scanned as plain text). */
const MAX_DEPTH = 256;

/** The slots of `text` when it is a JSON object or array, else undefined. */
export function jsonSlots(text: string): JsonSlot[] | undefined {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  let root: ValueNode;
  try {
    root = parseJsonAst(text, { ranges: true }).body;
  } catch {
    return undefined;
  }
  const slots: JsonSlot[] = [];
  const stack: Array<{ node: ValueNode; key: string | undefined; depth: number }> = [{ node: root, key: undefined, depth: 0 }];
  while (stack.length > 0) {
    const { node, key, depth } = stack.pop() as { node: ValueNode; key: string | undefined; depth: number };
    if (depth > MAX_DEPTH) return undefined;
    const [start, end] = node.range as [number, number];
    switch (node.type) {
      case 'String': {
        const raw = text.slice(start + 1, end - 1);
        slots.push({ key, value: node.value, nodeStart: start, nodeEnd: end, kind: 'string', exact: !raw.includes('\\') && raw === node.value });
        break;
      }
      case 'Number':
        slots.push({ key, value: text.slice(start, end), nodeStart: start, nodeEnd: end, kind: 'number', exact: false });
        break;
      case 'Object':
        for (let i = node.members.length - 1; i >= 0; i--) {
          const m = node.members[i];
          if (m) stack.push({ node: m.value, key: m.name.type === 'String' ? m.name.value : undefined, depth: depth + 1 });
        }
        break;
      case 'Array':
        for (let i = node.elements.length - 1; i >= 0; i--) {
          const e = node.elements[i];
          if (e) stack.push({ node: e.value, key, depth: depth + 1 });
        }
        break;
      default:
        break; // true, false, null: nothing to find
    }
  }
  return slots;
}
