import { Token } from 'aws-cdk-lib';
import { escapeIamPattern } from '../iam-pattern';

/*
 * Names that users give (secrets, parameters, repositories) are data: the grant on a name matches that name only.
 * A literal name that the service could never hold (a '*' in a parameter name, say) is refused: no exact grant
 * exists for it, and a pattern would be a wildcard. A token's text is known only at deployment and is not checked;
 * the literal text around it is checked and escaped.
 */

/** Parameter Store: a-zA-Z0-9_.-/ only. https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html */
export const PARAMETER_NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/;
/** Secrets Manager: 1-512 of a-zA-Z0-9/_+=.@-. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html */
export const SECRET_NAME_CHARS = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;
/** Amazon ECR. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const LITERAL_CHARS: Record<NameKind, RegExp> = {
  parameter: /^[a-zA-Z0-9_.\-/]*$/,
  secret: /^[a-zA-Z0-9/_+=.@-]*$/,
  repository: /^[a-z0-9._\-/]*$/,
};
const ALLOWED: Record<NameKind, string> = {
  parameter: 'a-zA-Z0-9_.-/ (Parameter Store\'s characters)',
  secret: '1-512 of a-zA-Z0-9/_+=.@- (Secrets Manager\'s characters)',
  repository: 'lower-case letters, digits and ._-/ between them (Amazon ECR\'s repository names)',
};

/** The kinds of names checked here. */
export type NameKind = 'parameter' | 'secret' | 'repository';

/**
 * The problem with a literal name of `kind`, or undefined when the service can hold it. A name with tokens has only
 * its literal text checked, for characters.
 */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  if (Token.isUnresolved(name)) {
    const literal = literalParts(name).join('');
    return LITERAL_CHARS[kind].test(literal) ? undefined : `must hold only ${ALLOWED[kind]} around its tokens`;
  }
  const ok = kind === 'parameter' ? PARAMETER_NAME_CHARS.test(name) : kind === 'secret' ? SECRET_NAME_CHARS.test(name) : REPOSITORY_NAME.test(name);
  return ok ? undefined : `must be ${ALLOWED[kind]}`;
}

/**
 * Throws when `name` cannot be the name of a `kind`, naming `prop` and showing the value: the grant on it would not
 * be exact.
 */
export function validateName(prop: string, kind: NameKind, name: string): void {
  const problem = nameProblem(kind, name);
  if (problem) {
    throw new Error(`${prop}: the ${kind} name ${problem}, so no grant can name exactly it, got '${name}'`);
  }
}

/**
 * An ARN (or any resource) whose literal characters match only themselves: `*`, `?` and `$` are escaped, tokens are
 * kept as they are.
 */
export function exactResource(arn: string): string {
  return escapeIamPattern(arn);
}

/** The literal text of a string that may hold tokens, without the tokens. */
function literalParts(text: string): string[] {
  return text.split(/\$\{Token\[[^\]]*\]\}/);
}
