import * as fs from 'fs';
import * as path from 'path';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

type Template = { Resources: Record<string, { Type: string; Properties?: any }>; Parameters?: Record<string, unknown> };

/** The values of the template's parameters, by logical id, as a deployment would give them. */
export type ParameterValues = Record<string, string>;

// stands for the character '*' of a key in decideLiterally: a private-use character, which no IAM pattern reads specially
const LITERAL_STAR = '\uE000';

/** The principal of every simulated request: a build instance of the role. */
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/TeamRole/i-0123456789abcdef0`;

/**
 * The effective permissions of one role of a synthesized template, decided by a real IAM policy
 * evaluation engine (@cloud-copilot/iam-simulate): the inline and overflow policies of the template,
 * the customer managed policies, the AWS managed policies (documents under test/fixtures) and the
 * permissions boundary, with the key, bucket and secret policies of the template as resource policies.
 *
 * Intrinsics are replaced by the values CloudFormation would give in account 111122223333, us-east-1:
 * a bucket's ARN is `arn:aws:s3:::<BucketName or lower-case logical id>`, a key's ARN ends in `key/<logical id>`,
 * a parameter is the value given in `parameters`; `Fn::Join`, `Fn::Split` and `Fn::Select` are computed.
 */
export class EffectivePermissions {
  public static ofRole(template: Template, roleLogicalId: string, parameters: ParameterValues = {}): EffectivePermissions {
    const resources = template.Resources;
    const values = { resources, parameters, declared: template.Parameters ?? {} };
    const resolve = (value: any): any => resolveIntrinsics(values, value);
    const role = resources[roleLogicalId];
    if (role?.Type !== 'AWS::IAM::Role') {
      throw new Error(`${roleLogicalId} is not a role of the template`);
    }
    const holdsRole = (props: any) => (props?.Roles ?? []).some((r: any) => r?.Ref === roleLogicalId);

    const policies: { name: string; policy: any }[] = [];
    for (const [logicalId, resource] of Object.entries(resources)) {
      const attachedHere = (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
        && holdsRole(resource.Properties);
      if (attachedHere) {
        policies.push({ name: logicalId, policy: resolve(resource.Properties!.PolicyDocument) });
      }
    }
    for (const arn of resolve(role.Properties?.ManagedPolicyArns ?? []) as string[]) {
      policies.push({ name: arn, policy: managedPolicyDocument(values, arn) });
    }
    for (const [i, inline] of (role.Properties?.Policies ?? []).entries()) {
      policies.push({ name: `inline${i}`, policy: resolve(inline.PolicyDocument) });
    }
    const boundaryArn = resolve(role.Properties?.PermissionsBoundary);
    const boundary = boundaryArn ? managedPolicyDocument(values, boundaryArn) : undefined;

    // AWS decides with the resource policies of the template as well: a key's policy (CDK's default one lets IAM
    // policies of the account grant use), a bucket's policy and a secret's resource policy
    const keyPolicies: Record<string, any> = {};
    const bucketPolicies: Record<string, any> = {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::KMS::Key') {
        keyPolicies[arnOf(values, logicalId)] = resolve(resource.Properties!.KeyPolicy);
      } else if (resource.Type === 'AWS::S3::BucketPolicy') {
        bucketPolicies[resolve(resource.Properties!.Bucket)] = resolve(resource.Properties!.PolicyDocument);
      } else if (resource.Type === 'AWS::SecretsManager::ResourcePolicy') {
        keyPolicies[resolve(resource.Properties!.SecretId)] = resolve(resource.Properties!.ResourcePolicy);
      }
    }
    const resourcePolicyOf = (arn: string): any => {
      const bucket = /^arn:aws:s3:::([^/]+)/.exec(arn);
      return bucket ? bucketPolicies[bucket[1]] : keyPolicies[arn];
    };
    return new EffectivePermissions(policies.map(p => ({ name: p.name, policy: renameContextKeys(p.policy) })),
      (arn: string) => renameContextKeys(resourcePolicyOf(arn)), renameContextKeys(boundary));
  }

  // by service: the policies with '${*}' replaced, without the statements that name only other services' actions
  private readonly literalPolicies = new Map<string, { identity: { name: string; policy: any }[]; boundary?: any }>();

  private constructor(
    public readonly identityPolicies: { name: string; policy: any }[],
    /** The resource policy of the template that AWS evaluates for a request on this ARN: a key, bucket or secret policy. */
    private readonly resourcePolicyOf: (arn: string) => any,
    private readonly permissionsBoundary?: any) {}

  /**
   * 'Allowed', 'ImplicitlyDenied' or 'ExplicitlyDenied' for one request of the role.
   */
  public async decide(action: string, resource: string, context: Record<string, string | string[] | undefined> = {}): Promise<string> {
    const response = await runSimulation({
      identityPolicies: this.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      permissionBoundaryPolicies: this.permissionsBoundary ? [{ name: 'boundary', policy: this.permissionsBoundary }] : undefined,
      resourcePolicy: this.resourcePolicyOf(resource),
      request: {
        action,
        principal: PRINCIPAL,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: renameRequestContext(realContext(action, context)),
      },
    } as any, {});
    if (response.resultType === 'error') {
      throw new Error(`the simulation of ${action} on ${resource} is invalid: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult;
  }

  /**
   * Like `decide`, for the one object or bucket that `resource` names, whose key may hold the character '*'.
   *
   * iam-simulate reads a '*' in the ARN of a request as a wildcard (it then answers whether some resource that
   * the pattern matches is allowed), while in S3 a '*' is a character of the key. So the character '*' of the
   * request (resource and context values) and IAM's escape for it, `${*}`, in the policies both become the same
   * private-use character, which neither side reads specially; everything else is as in `decide`. It skips
   * iam-simulate's validation of the policies (call `validate` once) and of the context keys (send only the keys
   * that the action takes), and leaves out the statements whose actions are all literal actions of other services
   * (they cannot match), which makes it synchronous and several times faster.
   */
  public decideLiterally(action: string, resource: string, context: Record<string, string | string[]> = {}): string {
    const service = action.split(':')[0].toLowerCase();
    let policies = this.literalPolicies.get(service);
    if (!policies) {
      const relevant = (policy: any) => escapeLiteralStars({ ...policy, Statement: [policy.Statement].flat().filter(s => mayMatch(s, service)) });
      policies = {
        identity: this.identityPolicies.map(p => ({ name: p.name, policy: relevant(p.policy) })),
        boundary: this.permissionsBoundary && relevant(this.permissionsBoundary),
      };
      this.literalPolicies.set(service, policies);
    }
    const literal = (value: string) => value.replace(/\*/g, LITERAL_STAR);
    const result = runUnsafeSimulation({
      identityPolicies: policies.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      permissionBoundaryPolicies: policies.boundary ? [{ name: 'boundary', policy: policies.boundary }] : undefined,
      resourcePolicy: this.resourcePolicyOf(resource) && escapeLiteralStars(this.resourcePolicyOf(resource)),
      request: {
        action,
        principal: PRINCIPAL,
        resource: { resource: literal(resource), accountId: ACCOUNT },
        contextVariables: renameRequestContext(Object.fromEntries(Object.entries(context)
          .map(([k, v]) => [k, Array.isArray(v) ? v.map(literal) : literal(v)]))),
      },
    } as any, {});
    return result;
  }

  /**
   * Throws when iam-simulate's validation finds a policy of the role invalid: `decideLiterally` skips that
   * validation, so call this once before it.
   */
  public async validate(): Promise<void> {
    await this.decide('s3:GetObject', 'arn:aws:s3:::validation-probe/key');
  }

  /** Shorthand: whether the request is allowed. */
  public async allows(action: string, resource: string, context: Record<string, string | string[] | undefined> = {}): Promise<boolean> {
    return (await this.decide(action, resource, context)) === 'Allowed';
  }
}

/**
 * The context keys that a real call of the role carries, which conditioned statements depend on: the role's
 * account, and for S3 the account that owns the bucket (the role's own unless the test says otherwise). A key
 * given as undefined is left out, for a request whose owner is not known.
 */
function realContext(action: string, given: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const context: Record<string, string | string[] | undefined> = {
    'aws:PrincipalAccount': ACCOUNT,
    ...action.startsWith('s3:') ? { 's3:ResourceAccount': ACCOUNT } : {},
    ...given,
  };
  return Object.fromEntries(Object.entries(context).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined));
}

// iam-simulate 0.1.173 drops kms:EncryptionContext:<key> from the request, so a condition on it is always false
// there: the encryption contexts that S3, Parameter Store and Secrets Manager send are renamed, in the policies and in
// the request alike, to string keys of iam-simulate that no policy here uses (as test/private/iam/decision.test.ts does)
const RENAMED_CONTEXT_KEYS: Record<string, string> = {
  'kms:EncryptionContext:aws:s3:arn': 'aws:SourceVpce',
  'kms:EncryptionContext:PARAMETER_ARN': 'aws:SourceVpc',
  'kms:EncryptionContext:SecretARN': 'aws:UserAgent',
};

/** A policy document with the encryption context keys renamed (see RENAMED_CONTEXT_KEYS). */
function renameContextKeys(policy: any): any {
  if (policy === undefined) {
    return undefined;
  }
  let text = JSON.stringify(policy);
  for (const [key, renamed] of Object.entries(RENAMED_CONTEXT_KEYS)) {
    text = text.split(`"${key}"`).join(`"${renamed}"`);
  }
  return JSON.parse(text);
}

/** The request's context with the encryption context keys renamed, and no other kms:EncryptionContext:<key>. */
function renameRequestContext(context: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(context)
    .map(([k, v]) => [RENAMED_CONTEXT_KEYS[k] ?? k, v] as const)
    .filter(([k]) => !k.startsWith('kms:EncryptionContext:')));
}

/** What intrinsics are resolved against. */
interface Values {
  readonly resources: Template['Resources'];
  readonly parameters: ParameterValues;
  readonly declared: Record<string, unknown>;
}

function managedPolicyDocument(values: Values, arn: string): any {
  const aws = /^arn:aws:iam::aws:policy\/(?:service-role\/)?(.+)$/.exec(arn);
  if (aws) {
    const file = path.join(__dirname, '..', 'fixtures', `${aws[1]}.json`);
    if (!fs.existsSync(file)) {
      throw new Error(`no document for the AWS managed policy ${arn} under test/fixtures`);
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')).PolicyVersion.Document;
  }
  for (const [logicalId, resource] of Object.entries(values.resources)) {
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && arn === `arn:aws:iam::${ACCOUNT}:policy/${logicalId}`) {
      return resolveIntrinsics(values, resource.Properties!.PolicyDocument);
    }
  }
  throw new Error(`unknown managed policy ${arn}`);
}

function resolveIntrinsics(values: Values, value: any): any {
  const resolve = (v: any): any => resolveIntrinsics(values, v);
  if (Array.isArray(value)) {
    return value.map(resolve);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if ('Ref' in value) {
    return ref(values, value.Ref);
  }
  if ('Fn::GetAtt' in value) {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    if (attribute !== 'Arn') {
      throw new Error(`unsupported attribute ${logicalId}.${attribute}`);
    }
    return arnOf(values, logicalId);
  }
  if ('Fn::Join' in value) {
    const [delimiter, parts] = value['Fn::Join'];
    return resolve(parts).join(delimiter);
  }
  if ('Fn::Split' in value) {
    const [delimiter, source] = value['Fn::Split'];
    return String(resolve(source)).split(delimiter);
  }
  if ('Fn::Select' in value) {
    const [index, list] = value['Fn::Select'];
    return resolve(list)[Number(resolve(index))];
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

function ref(values: Values, name: string): string {
  switch (name) {
    case 'AWS::Partition': return 'aws';
    case 'AWS::AccountId': return ACCOUNT;
    case 'AWS::Region': return REGION;
    case 'AWS::URLSuffix': return 'amazonaws.com';
  }
  if (name in values.declared) {
    if (!(name in values.parameters)) {
      throw new Error(`no value given for the parameter ${name}`);
    }
    return values.parameters[name];
  }
  const resource = values.resources[name];
  switch (resource?.Type) {
    case 'AWS::S3::Bucket': return resource.Properties?.BucketName ?? name.toLowerCase();
    case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
    case 'AWS::IAM::Role': return resource.Properties?.RoleName ?? name;
    // a secret's Ref is its ARN, whose name Secrets Manager ends with '-' and six random characters
    case 'AWS::SecretsManager::Secret': return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${resource.Properties?.Name ?? name}-AbCdEf`;
    case 'AWS::SSM::Parameter': return resource.Properties?.Name ?? name;
    case 'AWS::ECR::Repository': return resource.Properties?.RepositoryName ?? name.toLowerCase();
    default: throw new Error(`unsupported Ref to ${name}`);
  }
}

function arnOf(values: Values, logicalId: string): string {
  const resource = values.resources[logicalId];
  switch (resource?.Type) {
    case 'AWS::S3::Bucket': return `arn:aws:s3:::${ref(values, logicalId)}`;
    case 'AWS::KMS::Key': return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${logicalId}`;
    case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role/${ref(values, logicalId)}`;
    case 'AWS::ECR::Repository': return `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${ref(values, logicalId)}`;
    default: throw new Error(`unsupported Fn::GetAtt ${logicalId}.Arn`);
  }
}

/** Whether a statement may match an action of the service: false only when it lists literal actions of other services. */
function mayMatch(statement: any, service: string): boolean {
  if (statement.Action === undefined) {
    return true;
  }
  return [statement.Action].flat().some((a: string) => /[*?]/.test(a) || a.split(':')[0].toLowerCase() === service);
}

/**
 * A policy document with every `${*}` (IAM's escape for the character '*') replaced by LITERAL_STAR. Policy
 * strings are read as iam-simulate reads them: a `${` opens a token that the next `}` closes.
 */
function escapeLiteralStars(value: any): any {
  if (typeof value === 'string') {
    let out = '';
    let i = 0;
    while (i < value.length) {
      const end = value.startsWith('${', i) ? value.indexOf('}', i + 2) : -1;
      if (end < 0) {
        out += value[i];
        i += 1;
      } else {
        const token = value.slice(i, end + 1);
        out += token === '${*}' ? LITERAL_STAR : token;
        i = end + 1;
      }
    }
    return out;
  }
  if (Array.isArray(value)) {
    return value.map(escapeLiteralStars);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeLiteralStars(v)]));
}
