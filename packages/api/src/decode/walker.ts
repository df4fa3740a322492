// The walk of one JSON value against a message schema. It checks in place: nulls are
// removed (a null field is unset), unknown fields are dropped only when the caller allows,
// and nothing is copied. Recursion is bounded by MAX_DEPTH, so no value can exhaust the stack.
import type { FieldSchema, MessageSchema } from '../schema/types.js';
import { messageSchema } from '../schema/schema.js';
import type { StatusCause } from '../types.js';
import { MAX_DEPTH } from './json-scan.js';
import { goElementType, goFieldType, jsonValueName } from './go-words.js';
import { scalarProblem, type ScalarProblem } from './scalars.js';

type Obj = Record<string, unknown>;
/** A path segment: a field name, a list index, or a map key. */
type Segment = string | number | { key: string };

export function isPlainObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `spec.containers[0].command`: the path Kubernetes names a field by. */
export function renderPath(path: readonly Segment[], last?: Segment): string {
  let out = '';
  const add = (s: Segment) => {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'object') out += `[${s.key}]`;
    else out += out ? `.${s}` : s;
  };
  for (const s of path) add(s);
  if (last !== undefined) add(last);
  return out;
}

/** The zero value Go gives a list element or map value decoded from null. */
function zeroOf(field: FieldSchema): unknown {
  switch (field.kind) {
    case 'message':
      return {};
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'double':
    case 'intOrString':
      return 0;
    case 'quantity':
      return '0';
    case 'rawExtension':
    case 'fieldsV1':
      return {};
    default:
      return '';
  }
}

export class Walker {
  readonly path: Segment[] = [];
  readonly causes: StatusCause[] = [];
  /** The message of the first error, as Go's decoder reports only that one. */
  first?: string;
  readonly unknown: string[] = [];

  constructor(private readonly dropUnknown: boolean) {}

  private fail(message: string, last?: Segment): void {
    this.first ??= message;
    this.causes.push({ reason: 'FieldValueInvalid', message, field: renderPath(this.path, last) });
  }

  private mismatch(owner: string, goType: string, v: unknown, problem: ScalarProblem, last?: Segment): void {
    if ('message' in problem) return this.fail(problem.message, last);
    const goPath = this.path.filter((s) => typeof s === 'string').join('.');
    const value = jsonValueName(v, problem.doesNotFit);
    this.fail(`json: cannot unmarshal ${value} into Go struct field ${owner}.${goPath} of type ${goType}`, last);
  }

  /** Walks the fields of `obj`, a value of `schema`, at nesting `depth` (`alsoAllowed`: keys checked elsewhere). */
  message(schema: MessageSchema, obj: Obj, depth: number, alsoAllowed?: ReadonlySet<string>): void {
    if (depth > MAX_DEPTH) return this.fail(`json: exceeded max depth of ${MAX_DEPTH}`);
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      const field = schema.jsonFields.get(key);
      if (!field) {
        if (alsoAllowed?.has(key)) continue;
        this.unknownField(obj, key, depth);
        continue;
      }
      if (v === null) {
        delete obj[key];
        continue;
      }
      this.path.push(key);
      this.field(schema.goName, field, v, depth);
      this.path.pop();
    }
  }

  private unknownField(obj: Obj, key: string, depth: number): void {
    this.unknown.push(renderPath(this.path, key));
    this.path.push(key);
    this.free(obj[key], depth + 1);
    this.path.pop();
    if (this.dropUnknown) delete obj[key];
  }

  /** A value with no schema (an unknown field, a RawExtension): only its depth is checked. */
  private free(v: unknown, depth: number): void {
    if (v === null || typeof v !== 'object') return;
    if (depth > MAX_DEPTH) return this.fail(`json: exceeded max depth of ${MAX_DEPTH}`);
    if (Array.isArray(v)) for (const e of v) this.free(e, depth + 1);
    else for (const k of Object.keys(v)) this.free((v as Obj)[k], depth + 1);
  }

  private field(owner: string, field: FieldSchema, v: unknown, depth: number): void {
    if (field.map) {
      if (!isPlainObject(v)) return this.mismatch(owner, goFieldType(field), v, { mismatch: true });
      for (const k of Object.keys(v)) {
        if (v[k] === null) v[k] = field.repeated ? [] : zeroOf(field);
        else if (field.repeated) this.listValue(owner, field, v[k], depth + 1, { key: k });
        else this.element(owner, field, v[k], depth + 1, { key: k });
      }
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(v)) return this.mismatch(owner, goFieldType(field), v, { mismatch: true });
      for (let i = 0; i < v.length; i++) {
        if (v[i] === null) v[i] = zeroOf(field);
        else this.element(owner, field, v[i], depth + 1, i);
      }
      return;
    }
    this.element(owner, field, v, depth, undefined);
  }

  /** A map value that is itself a list (user.Info's extra: map[string]ExtraValue, a []string). */
  private listValue(owner: string, field: FieldSchema, v: unknown, depth: number, at: Segment): void {
    if (!Array.isArray(v)) return this.mismatch(owner, `[]${goElementType(field)}`, v, { mismatch: true }, at);
    this.path.push(at);
    for (let i = 0; i < v.length; i++) {
      if (v[i] === null) v[i] = zeroOf(field);
      else this.element(owner, field, v[i], depth + 1, i);
    }
    this.path.pop();
  }

  /** One value of `field` (a list element or map value when `at` is given). */
  private element(owner: string, field: FieldSchema, v: unknown, depth: number, at: Segment | undefined): void {
    if (field.kind === 'message') {
      if (!isPlainObject(v)) return this.mismatch(owner, goElementType(field), v, { mismatch: true }, at);
      if (at !== undefined) this.path.push(at);
      this.message(messageSchema(field.message!)!, v, depth + 1);
      if (at !== undefined) this.path.pop();
      return;
    }
    const problem = scalarProblem(field.kind, v);
    if (problem) return this.mismatch(owner, goElementType(field), v, problem, at);
    if (field.kind === 'rawExtension' || field.kind === 'fieldsV1') {
      if (at !== undefined) this.path.push(at);
      this.free(v, depth + 1);
      if (at !== undefined) this.path.pop();
    }
  }
}
