import { Token } from 'aws-cdk-lib';
import { PARAMETER_NAME_CHARS as PARAMETER_NAME, SECRET_NAME_CHARS as SECRET_NAME } from './grants/names';
import { escapeIamPattern } from './iam-pattern';

/**
 * The IAM resource that a `{{ aws:ssm:NAME }}` reference of a component document reads.
 *
 * - `parameter`: a Parameter Store parameter, `arn:<partition>:ssm:<region>:<account>:parameter/<resourceName>`
 *   (an AWS public parameter under `/aws/service/` has an empty account);
 * - `secret`: a Secrets Manager secret read through `/aws/reference/secretsmanager/<secretId>`; Image Builder asks
 *   for `ssm:GetParameter` on the parameter and `secretsmanager:GetSecretValue` on the secret, so `resourceName` is
 *   the reference's own parameter name (`aws/reference/secretsmanager/<secretId>`) for the first;
 * - `arn`: a parameter given by its full ARN (GetParameter takes one; AWSTOE does not document it);
 * - `invalid`: a name that Parameter Store cannot hold, with the reason.
 *
 * `selector` is the `:version` or `:label` (for a secret, `:version-id` or `:version-stage`) that follows a
 * name; it selects a version of the same resource, so it is not part of the ARN.
 */
export type ParameterTarget =
  | { readonly kind: 'parameter'; readonly resourceName: string; readonly publicParameter: boolean; readonly selector?: string }
  | { readonly kind: 'secret'; readonly secretId: string; readonly byArn: boolean; readonly resourceName: string; readonly selector?: string }
  | { readonly kind: 'arn'; readonly arn: string; readonly selector?: string }
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * The parts of an ARN that come from where the build runs (literals or tokens, such as `Aws.PARTITION`; for a
 * check's request, texts with holes).
 */
export interface ArnScope<P = string> {
  readonly partition: P;
  readonly region: P;
  readonly account: P;
}

// Parameter Store's rules for names: a-zA-Z0-9_.-/ only; a name in a hierarchy starts with '/' and has at most
// 15 levels; '/Name' and 'Name' are the same parameter; names that begin with aws or ssm (case-insensitive,
// '/aws/...' included) are reserved.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
const MAX_LEVELS = 15;
// GetParameter takes a name or an ARN, up to 2048 characters, with ':version' or ':label' after it
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
const MAX_NAME = 2048;
const SELECTOR = /^[a-zA-Z0-9_.-]{1,128}$/;

// public parameters that AWS publishes live under /aws/service/; their ARN has no account:
// arn:aws:ssm:us-east-2::parameter/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-ebs
// https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
const PUBLIC_PREFIX = '/aws/service/';

// a Secrets Manager secret read through Parameter Store: the reserved path, then the secret's name or ARN,
// optionally with ':version-id' or ':version-stage'
// https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
const SECRET_PREFIX = '/aws/reference/secretsmanager/';
// secret names: ASCII letters, digits and /_+=.@- (so never * ? or $), at most 512 characters; Secrets Manager
// appends '-' and six random characters to the name in the secret's ARN, and reads an ARN whose name ends like
// that as complete (a partial ARN lacks them)
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
const SECRET_SUFFIX = /-[a-zA-Z0-9]{6}$/;

const PARTITION = /^aws(-[a-z]+)*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;

/**
 * What IAM resource the name of a `{{ aws:ssm:NAME }}` reference (as in `ParameterNeed.name`) reads.
 *
 * @see https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-user-defined-variables.html#toe-ssm-parameters
 */
export function parameterTarget(name: string): ParameterTarget {
  if (typeof name !== 'string') {
    return invalid('the name is not a string');
  }
  // GetParameter drops spaces around a name
  const text = name.trim();
  if (text === '') {
    return invalid('the name is empty');
  }
  if (text.length > MAX_NAME) {
    return invalid(`the name has ${text.length} characters, more than the ${MAX_NAME} that GetParameter takes`);
  }
  if (Token.isUnresolved(text)) {
    return invalid('the name holds a token, known only at deployment');
  }
  if (text.includes('{{') || text.includes('}}')) {
    return invalid('the name holds another {{ }} reference, known only when the build runs');
  }
  if (text.startsWith('arn:')) {
    return parameterArnTarget(text);
  }
  if (text.startsWith(SECRET_PREFIX)) {
    return secretTarget(text.slice(SECRET_PREFIX.length));
  }

  const [base, selector, extra] = text.split(':');
  if (extra !== undefined || (selector !== undefined && !SELECTOR.test(selector))) {
    return invalid(`'${text}' is not a parameter name followed by an optional :version or :label`);
  }
  const problem = parameterNameProblem(base, base.startsWith(PUBLIC_PREFIX));
  if (problem) {
    return invalid(problem);
  }
  return {
    kind: 'parameter',
    // the ARN holds the name without its leading slash: parameter/my/param for '/my/param'
    resourceName: base.startsWith('/') ? base.slice(1) : base,
    publicParameter: base.startsWith(PUBLIC_PREFIX),
    ...(selector === undefined ? {} : { selector }),
  };
}

/**
 * The ARN of a parameter for `ssm:GetParameter`: `arn:<partition>:ssm:<region>:<account>:parameter/<resourceName>`,
 * with an empty account for an AWS public parameter, and `*`, `?` and `$` escaped.
 */
export function parameterArn(resourceName: string, publicParameter: boolean, scope: ArnScope): string {
  return parameterArnParts(resourceName, publicParameter, scope).join('');
}

/**
 * The parts of `parameterArn`, with the scope's parts as given. The names of a target hold no `*`, `?` or `$`, so
 * the parts also spell the resource of a request.
 */
export function parameterArnParts<P>(resourceName: string, publicParameter: boolean, scope: ArnScope<P>): Array<string | P> {
  return ['arn:', scope.partition, ':ssm:', scope.region, ':', publicParameter ? '' : scope.account, `:parameter/${escapeIamPattern(resourceName)}`];
}

/**
 * The ARN pattern of a secret for `secretsmanager:GetSecretValue`.
 *
 * By name: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-??????`, where `??????` stands for
 * the six characters that Secrets Manager appends (`-*` would also match other secrets whose names start with this
 * one); aws-cdk-lib grants a secret known by name the same way (`Secret.fromSecretNameV2`). By a complete ARN: that
 * ARN. By a partial ARN (without the six characters): the ARN followed by `-??????`. Literal `*`, `?` and `$` in a
 * name are escaped.
 */
export function secretArnPattern(secretId: string, byArn: boolean, scope: ArnScope): string {
  return secretArnParts(secretId, byArn, scope, '-??????').join('');
}

/**
 * The parts of a secret's ARN, with the scope's parts as given and `suffix` where Secrets Manager's '-' and six
 * characters go: `secretArnPattern` with `suffix` '-??????', or the resource of a request with a hole for each
 * character. Secret names hold no `*`, `?` or `$`.
 */
export function secretArnParts<P>(secretId: string, byArn: boolean, scope: ArnScope<P>, suffix: P): Array<string | P> {
  if (!byArn) {
    return ['arn:', scope.partition, ':secretsmanager:', scope.region, ':', scope.account, `:secret:${escapeIamPattern(secretId)}`, suffix];
  }
  const parts = secretId.split(':');
  const name = parts.slice(6).join(':');
  const prefix = parts.slice(0, 6).join(':');
  return [`${prefix}:${escapeIamPattern(name)}`, ...SECRET_SUFFIX.test(name) ? [] : [suffix]];
}

function parameterNameProblem(name: string, publicParameter: boolean): string | undefined {
  if (!PARAMETER_NAME.test(name)) {
    return `'${name}' has characters that parameter names cannot hold (only a-zA-Z0-9_.-/)`;
  }
  if (name.includes('/') && !name.startsWith('/')) {
    return `'${name}' is in a hierarchy but does not start with '/', so it is not fully qualified`;
  }
  const levels = (name.startsWith('/') ? name.slice(1) : name).split('/');
  if (levels.some(level => level === '')) {
    return `'${name}' has an empty level`;
  }
  if (publicParameter) {
    return undefined;
  }
  if (levels.length > MAX_LEVELS) {
    return `'${name}' has ${levels.length} levels, more than the ${MAX_LEVELS} that a hierarchy may have`;
  }
  if (/^(aws|ssm)/i.test(levels[0])) {
    return `'${name}' begins with 'aws' or 'ssm', which are reserved: only AWS public parameters under /aws/service/ `
      + 'and secrets under /aws/reference/secretsmanager/ have such names';
  }
  return undefined;
}

function parameterArnTarget(text: string): ParameterTarget {
  // arn:partition:ssm:region:account:parameter/name, then an optional :version or :label
  const parts = text.split(':');
  if (parts.length < 6 || parts.length > 7) {
    return invalid(`'${text}' is not a parameter ARN (arn:partition:ssm:region:account:parameter/name)`);
  }
  const [, partition, service, region, account, resource, selector] = parts;
  if (service === 'secretsmanager') {
    return invalid(`'${text}' is a Secrets Manager ARN; Parameter Store reads a secret only as ${SECRET_PREFIX}<name or ARN>`);
  }
  if (service !== 'ssm' || !PARTITION.test(partition) || !REGION.test(region) || !(ACCOUNT.test(account) || account === '')
    || !resource.startsWith('parameter/')) {
    return invalid(`'${text}' is not a parameter ARN (arn:partition:ssm:region:account:parameter/name)`);
  }
  if (selector !== undefined && !SELECTOR.test(selector)) {
    return invalid(`'${text}' is not a parameter ARN followed by an optional :version or :label`);
  }
  const name = `/${resource.slice('parameter/'.length)}`;
  const publicParameter = name.startsWith(PUBLIC_PREFIX);
  const problem = parameterNameProblem(name, publicParameter);
  if (problem) {
    return invalid(problem);
  }
  if (publicParameter !== (account === '')) {
    return invalid(`'${text}' has ${account === '' ? 'no account, which only AWS public parameters have' : 'an account, which AWS public parameters do not have'}`);
  }
  return { kind: 'arn', arn: parts.slice(0, 6).join(':'), ...(selector === undefined ? {} : { selector }) };
}

function secretTarget(rest: string): ParameterTarget {
  let secretId: string;
  let selector: string | undefined;
  let byArn = false;
  if (rest.startsWith('arn:')) {
    // arn:partition:secretsmanager:region:account:secret:name, then an optional :version-id or :version-stage
    const parts = rest.split(':');
    const [, partition, service, region, account, type, name] = parts;
    if (parts.length < 7 || parts.length > 8 || service !== 'secretsmanager' || type !== 'secret' || !PARTITION.test(partition)
      || !REGION.test(region) || !ACCOUNT.test(account) || !SECRET_NAME.test(name)) {
      return invalid(`'${rest}' after ${SECRET_PREFIX} is not a secret name or a secret ARN (arn:partition:secretsmanager:region:account:secret:name)`);
    }
    secretId = parts.slice(0, 7).join(':');
    selector = parts[7];
    byArn = true;
  } else {
    const parts = rest.split(':');
    if (parts.length > 2 || !SECRET_NAME.test(parts[0])) {
      return invalid(`'${rest}' after ${SECRET_PREFIX} is not a secret name (1-512 of a-zA-Z0-9/_+=.@-) with an optional :version`);
    }
    [secretId, selector] = parts;
  }
  if (selector !== undefined && !SELECTOR.test(selector)) {
    return invalid(`'${selector}' after the secret '${secretId}' is not a version id or version stage`);
  }
  return {
    kind: 'secret',
    secretId,
    byArn,
    resourceName: secretReferenceName(secretId),
    ...(selector === undefined ? {} : { selector }),
  };
}

/** The name of the parameter through which Parameter Store reads a secret (without its leading '/'). */
export function secretReferenceName(secretId: string): string {
  return `${SECRET_PREFIX.slice(1)}${secretId}`;
}

function invalid(problem: string): ParameterTarget {
  return { kind: 'invalid', problem };
}
