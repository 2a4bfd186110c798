// Checked fields of a model family's config: each family's config parser (kernel/models/*/config.ts)
// checks every field it reads with these and throws one ConfigFieldError naming the field; whoever read
// the config adds the file (a checkpoint, a --config JSON) — never a NaN level or "Invalid typed array
// length" later.
import type { Mechanism } from './types';

/** A config field with a value the family cannot use: the field's path, what it holds, what it takes. */
export class ConfigFieldError extends Error {
  constructor(readonly field: string, readonly value: unknown, readonly expected: string) {
    super(`${field} is ${describeValue(value)}, expected ${expected}`);
    this.name = 'ConfigFieldError';
  }

  /** The same error with its field under `prefix` (`tagger` + `hidden` → `tagger.hidden`). */
  under(prefix: string): ConfigFieldError {
    return new ConfigFieldError(prefix ? `${prefix}.${this.field}` : this.field, this.value, this.expected);
  }
}

/** A value as an error shows it: `-64`, `the string "x"`, `null`, `an array`, `NaN`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length <= 8 ? JSON.stringify(v) : 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v)}`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** `min` itself is not allowed (a learning rate > 0). */
  minExclusive?: boolean;
  /** `max` itself is not allowed (a dropout < 1). */
  maxExclusive?: boolean;
}

function ruleText(r: NumberRule): string {
  const what = r.integer ? 'an integer' : 'a number';
  const lo = r.min === undefined ? '' : `${r.minExclusive ? '>' : '≥'} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.maxExclusive ? '<' : '≤'} ${r.max}`;
  return `${what}${lo ? ` ${lo}` : ''}${hi ? `${lo ? ' and' : ''} ${hi}` : ''}`;
}

/** A finite number within the rule (an integer when asked). */
export function checkNumber(field: string, v: unknown, rule: NumberRule = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (!rule.integer || Number.isSafeInteger(v))
    && (rule.min === undefined || (rule.minExclusive ? v > rule.min : v >= rule.min))
    && (rule.max === undefined || (rule.maxExclusive ? v < rule.max : v <= rule.max));
  if (!ok) throw new ConfigFieldError(field, v, ruleText(rule));
  return v as number;
}

/** A probability-like share or threshold: a number from 0 to 1. */
export function checkUnit(field: string, v: unknown): number {
  return checkNumber(field, v, { min: 0, max: 1 });
}

export function checkBoolean(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigFieldError(field, v, 'true or false');
  return v;
}

export function checkOneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new ConfigFieldError(field, v, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return v as T;
}

export function checkObject(field: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigFieldError(field, v, 'an object');
  return v as Record<string, unknown>;
}

const MECHANISM_NAMES: readonly Mechanism[] = ['ER', 'IP', 'EX'];

/** A non-empty list of distinct mechanisms (ER, IP, EX). */
export function checkMechanisms(field: string, v: unknown): Mechanism[] {
  const ok = Array.isArray(v) && v.length > 0 && v.every((m) => MECHANISM_NAMES.includes(m)) && new Set(v).size === v.length;
  if (!ok) throw new ConfigFieldError(field, v, 'a non-empty list of distinct ER, IP, EX');
  return [...(v as Mechanism[])];
}

/** An object keyed by mechanisms (some or all), each value checked by `each`. */
export function checkPerMechanism(field: string, v: unknown, each: (field: string, x: unknown) => number): Partial<Record<Mechanism, number>> {
  const o = checkObject(field, v);
  const out: Partial<Record<Mechanism, number>> = {};
  for (const [k, x] of Object.entries(o)) {
    if (!MECHANISM_NAMES.includes(k as Mechanism)) throw new ConfigFieldError(`${field}.${k}`, x, `no such key: the keys are ER, IP, EX`);
    out[k as Mechanism] = each(`${field}.${k}`, x);
  }
  return out;
}

/** A non-empty list of numbers, each within the rule. */
export function checkNumberList(field: string, v: unknown, rule: NumberRule = {}): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigFieldError(field, v, `a non-empty list of numbers`);
  return v.map((x, i) => checkNumber(`${field}[${i}]`, x, rule));
}
