import * as fs from 'fs';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

/**
 * The effective permissions of one role of a synthesized template, decided by a real IAM policy
 * evaluation engine (@cloud-copilot/iam-simulate): the inline and overflow policies of the template,
 * the customer managed policies, the AWS managed policies (documents under test/fixtures) and the
 * permissions boundary.
 *
 * Intrinsics are replaced by the values CloudFormation would give in account 111122223333, us-east-1:
 * a bucket's ARN is `arn:aws:s3:::<BucketName or lower-case logical id>`, a key's ARN ends in `key/<logical id>`.
 */
export class EffectivePermissions {
  public static ofRole(template: Template, roleLogicalId: string): EffectivePermissions {
    const resources = template.Resources;
    const resolve = (value: any): any => resolveIntrinsics(resources, value);
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
      policies.push({ name: arn, policy: managedPolicyDocument(resources, arn) });
    }
    for (const [i, inline] of (role.Properties?.Policies ?? []).entries()) {
      policies.push({ name: `inline${i}`, policy: resolve(inline.PolicyDocument) });
    }
    const boundaryArn = resolve(role.Properties?.PermissionsBoundary);
    const boundary = boundaryArn ? managedPolicyDocument(resources, boundaryArn) : undefined;

    // KMS decides with the key policy as well: CDK's default one lets IAM policies of the account grant use
    const keyPolicies: Record<string, any> = {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::KMS::Key') {
        keyPolicies[arnOf(resources, logicalId)] = resolve(resource.Properties!.KeyPolicy);
      }
    }
    return new EffectivePermissions(policies, keyPolicies, boundary);
  }

  private constructor(
    public readonly identityPolicies: { name: string; policy: any }[],
    private readonly keyPolicies: Record<string, any>,
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
      resourcePolicy: this.keyPolicies[resource],
      request: {
        action,
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/TeamRole/i-0123456789abcdef0`,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: realContext(action, context),
      },
    } as any, {});
    if (response.resultType === 'error') {
      throw new Error(`the simulation of ${action} on ${resource} is invalid: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult;
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

function managedPolicyDocument(resources: Template['Resources'], arn: string): any {
  const aws = /^arn:aws:iam::aws:policy\/(?:service-role\/)?(.+)$/.exec(arn);
  if (aws) {
    const file = path.join(__dirname, '..', 'fixtures', `${aws[1]}.json`);
    if (!fs.existsSync(file)) {
      throw new Error(`no document for the AWS managed policy ${arn} under test/fixtures`);
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')).PolicyVersion.Document;
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && arn === `arn:aws:iam::${ACCOUNT}:policy/${logicalId}`) {
      return resolveIntrinsics(resources, resource.Properties!.PolicyDocument);
    }
  }
  throw new Error(`unknown managed policy ${arn}`);
}

function resolveIntrinsics(resources: Template['Resources'], value: any): any {
  const resolve = (v: any): any => resolveIntrinsics(resources, v);
  if (Array.isArray(value)) {
    return value.map(resolve);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if ('Ref' in value) {
    return ref(resources, value.Ref);
  }
  if ('Fn::GetAtt' in value) {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    if (attribute !== 'Arn') {
      throw new Error(`unsupported attribute ${logicalId}.${attribute}`);
    }
    return arnOf(resources, logicalId);
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
    return resolve(list)[Number(index)];
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

function ref(resources: Template['Resources'], name: string): string {
  switch (name) {
    case 'AWS::Partition': return 'aws';
    case 'AWS::AccountId': return ACCOUNT;
    case 'AWS::Region': return REGION;
    case 'AWS::URLSuffix': return 'amazonaws.com';
  }
  const resource = resources[name];
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

function arnOf(resources: Template['Resources'], logicalId: string): string {
  const resource = resources[logicalId];
  switch (resource?.Type) {
    case 'AWS::S3::Bucket': return `arn:aws:s3:::${ref(resources, logicalId)}`;
    case 'AWS::KMS::Key': return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${logicalId}`;
    case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role/${ref(resources, logicalId)}`;
    case 'AWS::ECR::Repository': return `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${ref(resources, logicalId)}`;
    default: throw new Error(`unsupported Fn::GetAtt ${logicalId}.Arn`);
  }
}
