import * as cdk from 'aws-cdk-lib';
import { Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

const IAM4 = 'AwsSolutions-IAM4';
const IAM5 = 'AwsSolutions-IAM5';
const IAM4_REASON = 'EC2 Image Builder requires this AWS managed policy on the instance profile of its build and test instances; '
  + 'AWS maintains it as the service changes.';
const IAM5_REASON = 'Image Builder reads component artifacts from, and writes logs to, any key under this one S3 folder; '
  + 'the wildcard is limited to that folder.';
// aws-cdk-lib's AspectPriority.MUTATING (2.172+): run before cdk-nag, whose checks use the default priority
const MUTATING_PRIORITY = 200;

type Validations = { of(scope: IConstruct): { acknowledge(...rules: { id: string; reason: string }[]): void } };

/**
 * Records which cdk-nag AwsSolutions findings on a role come from the construct's own choices, and
 * acknowledges exactly those: one finding id each, never a whole rule.
 *
 * cdk-nag 3 reads acknowledgments made through aws-cdk-lib's `Validations` (2.257+) on the resource or an
 * ancestor, so they go on the role as soon as they are known. cdk-nag 2 reads `cdk_nag` metadata on the
 * CloudFormation resource that holds the finding; an aspect writes it, and only when a cdk-nag 2 pack is
 * applied, so that apps without cdk-nag carry no metadata.
 */
export class NagAcknowledgements implements IAspect {
  private readonly managedPolicyArns = new Array<string>();
  private readonly wildcardResources = new Array<string>();
  private readonly validations?: Validations = (cdk as any).Validations;
  private nagV2Applied = false;

  constructor(private readonly role: iam.IRole) {
    const aspects: any = Aspects.of(role);
    aspects.add(this, { priority: MUTATING_PRIORITY });
  }

  /** An AWS managed policy that the construct itself attaches (AwsSolutions-IAM4). */
  public acknowledgeManagedPolicy(policyArn: string): void {
    this.managedPolicyArns.push(policyArn);
    this.acknowledgeV3(IAM4, () => `Policy::${this.flatten(policyArn)}`, IAM4_REASON);
  }

  /** A folder wildcard that the construct itself grants (AwsSolutions-IAM5). */
  public acknowledgeWildcardResource(resourceArn: string): void {
    this.wildcardResources.push(resourceArn);
    this.acknowledgeV3(IAM5, () => `Resource::${this.flatten(resourceArn)}`, IAM5_REASON);
  }

  public visit(node: IConstruct): void {
    // cdk-nag 2 checks a CfnResource right after its parent, so the metadata goes on from the parent
    if (node === this.role) {
      this.nagV2Applied = node.node.scopes.some(scope => Aspects.of(scope).all.some(isNagV2Pack));
      const cfnRole = node.node.defaultChild;
      if (this.nagV2Applied && cfnRole instanceof iam.CfnRole) {
        addNagV2Metadata(cfnRole, IAM4, IAM4_REASON, this.managedPolicyArns.map(arn => `Policy::${this.flatten(arn)}`));
      }
    } else if (this.nagV2Applied && (node instanceof iam.Policy || node instanceof iam.ManagedPolicy)) {
      // the default policy, or a policy that aws-cdk-lib split off it: either may hold the folder statements
      const cfn = node.node.defaultChild;
      if (cfn instanceof CfnResource) {
        addNagV2Metadata(cfn, IAM5, IAM5_REASON, this.wildcardResources.map(arn => `Resource::${this.flatten(arn)}`));
      }
    }
  }

  private acknowledgeV3(rule: string, finding: () => string, reason: string): void {
    this.validations?.of(this.role).acknowledge({ id: `${rule}[${finding()}]`, reason });
  }

  private flatten(value: string): string {
    return flattenCfnReference(Stack.of(this.role).resolve(value));
  }
}

function isNagV2Pack(aspect: IAspect): boolean {
  // cdk-nag 2's NagPack is an aspect with a pack name; cdk-nag is not a dependency of this library
  return typeof (aspect as any).readPackName === 'string';
}

function addNagV2Metadata(resource: CfnResource, rule: string, reason: string, findings: string[]): void {
  if (findings.length === 0) {
    return;
  }
  const metadata = resource.getMetadata('cdk_nag') ?? {};
  const rules: any[] = metadata.rules_to_suppress ?? [];
  const existing = rules.find(r => r.id === rule && r.reason === reason);
  const appliesTo = new Set<string>([...existing?.applies_to ?? [], ...findings]);
  const others = rules.filter(r => r !== existing);
  resource.addMetadata('cdk_nag', {
    ...metadata,
    rules_to_suppress: [...others, { id: rule, reason, applies_to: [...appliesTo] }],
  });
}

/**
 * A CloudFormation value as the flat string cdk-nag names its findings with:
 * `{ 'Fn::GetAtt': ['Bucket', 'Arn'] }` is `<Bucket.Arn>`, `{ Ref: 'AWS::Partition' }` is `<AWS::Partition>`.
 */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\${/g, '<').replace(/}/g, '>');
  }
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub']) {
    return flattenCfnReference(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) {
    return flattenCfnReference(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${flattenCfnReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
