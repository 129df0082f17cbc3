import * as fc from 'fast-check';

/**
 * Whether an IAM resource pattern matches a value: `*` any run of characters (slashes included), `?` one
 * character, `${*}`, `${?}` and `${$}` the literal character, everything else itself, case-sensitively.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export function iamGlobMatches(pattern: string, value: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length;) {
    const escaped = /^\$\{([*?$])\}/.exec(pattern.slice(i, i + 4));
    if (escaped) {
      regex += escapeRegex(escaped[1]);
      i += 4;
      continue;
    }
    if (pattern.startsWith('${', i)) {
      // any other ${...} is a policy variable, which these patterns must never hold
      throw new Error(`unexpected policy variable at ${i} in '${pattern}'`);
    }
    const codePoint = String.fromCodePoint(pattern.codePointAt(i)!);
    regex += codePoint === '*' ? '.*' : codePoint === '?' ? '.' : escapeRegex(codePoint);
    i += codePoint.length;
  }
  return new RegExp(`^${regex}$`, 'su').test(value);
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * Runs a fast-check property with a seed that is printed when it fails (set FC_SEED to replay it).
 */
export function checkProperty(property: fc.IRawProperty<any, false>, numRuns: number): void {
  const seed = Number(process.env.FC_SEED) || Math.floor(Math.random() * 2 ** 31);
  try {
    fc.assert(property, { numRuns, seed });
  } catch (e) {
    // eslint-disable-next-line no-console
    console.error(`fast-check failed with seed ${seed}; replay with FC_SEED=${seed}`);
    throw new Error(`fast-check seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}${causeOf(e)}`);
  }
}

/** The message of the error that made the property fail (fast-check 4 keeps it as the cause). */
function causeOf(e: unknown): string {
  const cause = (e as Error).cause;
  return cause instanceof Error ? `\ncaused by: ${cause.message}` : '';
}

/**
 * Runs an asynchronous fast-check property with a seed that is printed when it fails (set FC_SEED to replay it).
 */
export async function checkAsyncProperty(property: fc.IAsyncProperty<any>, numRuns: number): Promise<void> {
  const seed = Number(process.env.FC_SEED) || Math.floor(Math.random() * 2 ** 31);
  try {
    await fc.assert(property, { numRuns, seed });
  } catch (e) {
    // eslint-disable-next-line no-console
    console.error(`fast-check failed with seed ${seed}; replay with FC_SEED=${seed}`);
    throw new Error(`fast-check seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}${causeOf(e)}`);
  }
}
