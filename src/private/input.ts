/*
 * Checks of what callers from JavaScript (or any jsii language) may pass where TypeScript's types cannot stop them:
 * undefined, null or a value of another type is an Error that names the method or prop, not a TypeError later.
 */

/** How a value shows in a message: its type and, for a short primitive, itself. */
export function describe(value: unknown): string {
  if (value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (typeof value === 'object') {
    return Array.isArray(value) ? 'an array' : `an object (${(value as object).constructor?.name ?? 'no class'})`;
  }
  return `${typeof value} ${String(value)}`;
}

/** Throws unless `value` is an object that has `attribute` (a construct's or resource's, such as `bucketName`). */
export function requireConstruct(prop: string, what: string, value: unknown, attribute: string): void {
  if (typeof value !== 'object' || value === null || !(attribute in value)) {
    throw new Error(`${prop} must be ${article(what)} ${what} (an object with ${attribute}), got ${describe(value)}`);
  }
}

/** Throws unless `value` is a non-null object (a struct). */
export function requireObject(prop: string, what: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${prop} must be ${what}, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a string, or undefined when `optional`. */
export function requireString(prop: string, value: unknown, optional = false): void {
  if (typeof value !== 'string' && !(optional && value === undefined)) {
    throw new Error(`${prop} must be a string${optional ? ' or left out' : ''}, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a boolean or undefined. */
export function requireBoolean(prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new Error(`${prop} must be true, false or left out, got ${describe(value)}`);
  }
}

/** Throws unless `value` is an array or undefined. */
export function requireArray(prop: string, value: unknown): void {
  if (value !== undefined && !Array.isArray(value)) {
    throw new Error(`${prop} must be a list or left out, got ${describe(value)}`);
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** Throws unless `location` is a BucketLocation: an object with a bucket and, optionally, a string keyPrefix. */
export function requireLocation(prop: string, location: unknown): void {
  requireObject(prop, 'a BucketLocation ({ bucket, keyPrefix })', location);
  const { bucket, keyPrefix } = location as { bucket?: unknown; keyPrefix?: unknown };
  requireConstruct(`${prop}.bucket`, 'bucket', bucket, 'bucketName');
  requireString(`${prop}.keyPrefix`, keyPrefix, true);
}
