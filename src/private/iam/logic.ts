// three-valued logic: true, false, or undefined for "not known", and outcomes that say why a value is not known

// three-valued logic: true, false, or undefined for "not known"

export type Tri = boolean | undefined;

export function and(values: Iterable<Tri>): Tri {
  let result: Tri = true;
  for (const value of values) {
    if (value === false) {
      return false;
    }
    if (value === undefined) {
      result = undefined;
    }
  }
  return result;
}

export function or(values: Iterable<Tri>): Tri {
  let result: Tri = false;
  for (const value of values) {
    if (value === true) {
      return true;
    }
    if (value === undefined) {
      result = undefined;
    }
  }
  return result;
}

export function not(value: Tri): Tri {
  return value === undefined ? undefined : !value;
}

/** A three-valued answer and, when it is undefined, why. */
export interface Outcome {
  readonly value: Tri;
  readonly why?: string;
}

export const TRUE: Outcome = { value: true };
export const FALSE: Outcome = { value: false };
export const unknown = (why: string): Outcome => ({ value: undefined, why });

export function andOutcomes(outcomes: readonly Outcome[]): Outcome {
  const value = and(outcomes.map(o => o.value));
  return value === undefined ? unknown(outcomes.find(o => o.value === undefined)!.why!) : { value };
}

export function orOutcomes(outcomes: readonly Outcome[]): Outcome {
  const value = or(outcomes.map(o => o.value));
  return value === undefined ? unknown(outcomes.find(o => o.value === undefined)!.why!) : { value };
}

export function notOutcome(outcome: Outcome): Outcome {
  return outcome.value === undefined ? outcome : { value: !outcome.value };
}
