// Label selectors: the string syntax of `?labelSelector=` / `kubectl -l` (a port of
// k8s.io/apimachinery/pkg/labels' lexer and parser) and metav1.LabelSelector objects.
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { SelectorError } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from './label-syntax.js';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[]; // sorted, as Kubernetes keeps them
}

export interface LabelSelectorMatcher {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector selects everything (no requirements). */
  readonly empty: boolean;
  matches(labels?: Record<string, string> | null): boolean;
  toString(): string;
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v!)) return false;
      const lv = Number(v);
      const rv = Number(r.values[0]);
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/** labels.NewRequirement: checks key, values and the operator's arity. */
export function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const keyErrs = isQualifiedName(key);
  // Kubernetes reports the key with a nil field path, hence the `<nil>` users see.
  if (keyErrs.length) throw new SelectorError(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) throw new SelectorError("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) throw new SelectorError(`values: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) throw new SelectorError(`values: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1 || !/^-?\d+$/.test(values[0]!))
        throw new SelectorError(`values: Invalid value: ${goStrings(values)}: for 'Gt', 'Lt' operators, exactly one value is required and must be an integer`);
      break;
  }
  values.forEach((v, i) => {
    if (operator === 'gt' || operator === 'lt') return;
    const errs = isValidLabelValue(v);
    if (errs.length) throw new SelectorError(`values[${i}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
  });
  return { key, operator, values: [...new Set(values)].sort() };
}

function goStrings(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

export function matcherOf(requirements: LabelRequirement[]): LabelSelectorMatcher {
  // Kubernetes sorts requirements by key so the string form is canonical.
  const reqs = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches(labels) {
      const l = labels ?? {};
      return reqs.every((r) => requirementMatches(r, l));
    },
    toString() {
      return reqs.map(requirementString).join(',');
    },
  };
}

/** Selects nothing: what a nil metav1.LabelSelector means to Kubernetes. */
export const NOTHING: LabelSelectorMatcher = {
  requirements: [],
  empty: false,
  matches: () => false,
  toString: () => '',
};

export const EVERYTHING: LabelSelectorMatcher = matcherOf([]);

// ---- lexer ----
type Tok =
  | { t: 'id'; v: string }
  | { t: 'eos' }
  | { t: 'sym'; v: '!' | '!=' | '(' | ')' | ',' | '=' | '==' | '>' | '<' };

const special = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (special.has(c)) {
      const two = s.slice(i, i + 2);
      if (two === '!=' || two === '==') {
        out.push({ t: 'sym', v: two });
        i += 2;
      } else {
        out.push({ t: 'sym', v: c as '!' });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < s.length && !special.has(s[j]!) && !/\s/.test(s[j]!)) j++;
    out.push({ t: 'id', v: s.slice(i, j) });
    i = j;
  }
  out.push({ t: 'eos' });
  return out;
}

function show(t: Tok): string {
  return t.t === 'eos' ? '' : t.v;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(): Tok {
    return this.toks[this.pos]!;
  }
  private next(): Tok {
    return this.toks[this.pos++]!;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'eos') return reqs;
      if (t.t === 'id' || (t.t === 'sym' && t.v === '!')) {
        try {
          reqs.push(this.requirement());
        } catch (e) {
          if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        const after = this.next();
        if (after.t === 'eos') return reqs;
        if (after.t === 'sym' && after.v === ',') {
          const n = this.peek();
          if (n.t !== 'id' && !(n.t === 'sym' && n.v === '!'))
            throw new SelectorError(`found '${show(n)}', expected: identifier after ','`);
          continue;
        }
        throw new SelectorError(`found '${show(after)}', expected: ',' or 'end of string'`);
      }
      throw new SelectorError(`found '${show(t)}', expected: !, identifier, or 'end of string'`);
    }
  }

  private requirement(): LabelRequirement {
    let t = this.next();
    let notExists = false;
    if (t.t === 'sym' && t.v === '!') {
      notExists = true;
      t = this.next();
    }
    if (t.t !== 'id') throw new SelectorError(`found '${show(t)}', expected: identifier`);
    const key = t.v;
    const n = this.peek();
    if (n.t === 'eos' || (n.t === 'sym' && n.v === ',')) return newRequirement(key, notExists ? '!' : 'exists', []);
    if (notExists) throw new SelectorError(`found '${show(n)}', expected: ',' or 'end of string'`);
    const opTok = this.next();
    let op: LabelOperator;
    if (opTok.t === 'id' && (opTok.v === 'in' || opTok.v === 'notin')) op = opTok.v;
    else if (opTok.t === 'sym' && (opTok.v === '=' || opTok.v === '==' || opTok.v === '!=')) op = opTok.v;
    else if (opTok.t === 'sym' && opTok.v === '>') op = 'gt';
    else if (opTok.t === 'sym' && opTok.v === '<') op = 'lt';
    else throw new SelectorError(`found '${show(opTok)}', expected: in, notin, =, ==, !=, gt, lt`);
    if (op === 'in' || op === 'notin') return newRequirement(key, op, this.setValues());
    // Exact value: an identifier, or nothing (`a=` selects an empty value).
    const v = this.peek();
    if (v.t === 'id') {
      this.next();
      return newRequirement(key, op, [v.v]);
    }
    if (v.t === 'eos' || (v.t === 'sym' && v.v === ',')) return newRequirement(key, op, ['']);
    throw new SelectorError(`found '${show(v)}', expected: identifier`);
  }

  // parseValues / parseIdentifiersList: `()` and empty members (`(a,,b)`, `(,a)`) stand for "".
  private setValues(): string[] {
    const open = this.next();
    if (!(open.t === 'sym' && open.v === '(')) throw new SelectorError(`found '${show(open)}', expected: '('`);
    const first = this.peek();
    if (first.t === 'sym' && first.v === ')') {
      this.next();
      return [''];
    }
    if (!(first.t === 'id' || (first.t === 'sym' && first.v === ','))) throw new SelectorError(`found '${show(first)}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.t === 'id') {
        values.push(t.v);
        const n = this.peek();
        if (n.t === 'sym' && n.v === ',') continue;
        if (n.t === 'sym' && n.v === ')') break;
        throw new SelectorError(`found '${show(n)}', expected: ',' or ')'`);
      } else if (t.t === 'sym' && t.v === ',') {
        if (values.length === 0) values.push('');
        const n = this.peek();
        if (n.t === 'sym' && n.v === ')') {
          values.push('');
          break;
        }
        if (n.t === 'sym' && n.v === ',') {
          this.next();
          values.push('');
        }
      } else {
        throw new SelectorError(`found '${show(t)}', expected: ',', or identifier`);
      }
    }
    this.next(); // ')'
    return values;
  }
}

/** Parses a label selector string (`app=web,tier in (a,b),!canary`). Throws SelectorError. */
export function parseLabelSelector(s: string | undefined | null): LabelSelectorMatcher {
  if (s == null || s.trim() === '') return EVERYTHING;
  return matcherOf(new Parser(lex(s)).parse());
}

/**
 * metav1.LabelSelectorAsSelector: matchLabels and matchExpressions ANDed. An absent
 * selector (undefined/null) selects nothing; `{}` selects everything.
 */
export function labelSelectorFromObject(sel: LabelSelector | undefined | null): LabelSelectorMatcher {
  if (sel == null) return NOTHING;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of sel.matchExpressions ?? []) {
    let op: LabelOperator;
    switch (e.operator) {
      case 'In':
        op = 'in';
        break;
      case 'NotIn':
        op = 'notin';
        break;
      case 'Exists':
        op = 'exists';
        break;
      case 'DoesNotExist':
        op = '!';
        break;
      default:
        throw new SelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return matcherOf(reqs);
}

/**
 * The selector as a query string (`app=web,tier in (a,b)`), as
 * LabelSelectorAsSelector(sel).String() gives it. Empty for `{}`; metav1.FormatLabelSelector's
 * "<none>" is a display form left to the caller.
 */
export function selectorToString(sel: LabelSelector | undefined | null): string {
  return labelSelectorFromObject(sel).toString();
}

/** metav1.FormatLabelSelector: the string form for display, `<none>` when empty, `<error>` when it does not compile. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  try {
    return selectorToString(sel) || '<none>';
  } catch {
    return '<error>';
  }
}

/** A matchLabels-only selector as a map (for `kubectl get -l` style queries from a set). */
export function selectorFromSet(set: Record<string, string> | undefined | null): LabelSelectorMatcher {
  return matcherOf(Object.entries(set ?? {}).map(([k, v]) => newRequirement(k, '=', [v])));
}
