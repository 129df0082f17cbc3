import * as cdk from 'aws-cdk-lib';
import { Annotations, Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

const IAM4 = 'AwsSolutions-IAM4';
const IAM5 = 'AwsSolutions-IAM5';
const IAM4_REASON = 'EC2 Image Builder requires this AWS managed policy on the instance profile of its build and test instances; '
  + 'AWS maintains it as the service changes.';
const IAM5_REASON = 'Image Builder reads component artifacts from, and writes logs to, any key under this one S3 folder; '
  + 'the wildcard is limited to that folder.';
// aws-cdk-lib's AspectPriority.MUTATING (2.172+): run before cdk-nag 2, whose checks use the default priority
const MUTATING_PRIORITY = 200;
// Validations.ACKNOWLEDGED_RULES_METADATA_KEY (aws-cdk-lib 2.257+): the metadata that cdk-nag 3 reads
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

type Validations = { of(scope: IConstruct): { acknowledge(...rules: { id: string; reason: string }[]): void } };

/**
 * Records which cdk-nag AwsSolutions findings on a role come from the construct's own choices, and
 * acknowledges exactly those: one finding id each, never a whole rule.
 *
 * Nothing is written unless a cdk-nag pack is applied, so apps without cdk-nag pay only for one aspect
 * visit per construct of the role:
 * - cdk-nag 2 packs are aspects; they read `cdk_nag` metadata on the CloudFormation resource that holds
 *   the finding, which this aspect writes just before the pack checks that resource.
 * - cdk-nag 3 packs are validation plugins of a stage; they run after synthesis and read the
 *   acknowledged-rules metadata on the resource or an ancestor, which `Validations.acknowledge` writes.
 *   aws-cdk-lib 2.257.0-2.268.0 reject a finding id that holds '::' (every IAM4 and IAM5 finding does),
 *   so there the same metadata is written directly, in the form those releases write it.
 */
export class NagAcknowledgements implements IAspect {
  private readonly managedPolicyArns = new Array<string>();
  private readonly wildcardResources = new Array<string>();
  private nagV2Applied = false;

  constructor(private readonly role: iam.IRole) {
    const aspects: any = Aspects.of(role);
    aspects.add(this, { priority: MUTATING_PRIORITY });
  }

  /** An AWS managed policy that the construct itself attaches (AwsSolutions-IAM4). */
  public acknowledgeManagedPolicy(policyArn: string): void {
    this.managedPolicyArns.push(policyArn);
  }

  /** A folder wildcard that the construct itself grants (AwsSolutions-IAM5). */
  public acknowledgeWildcardResource(resourceArn: string): void {
    this.wildcardResources.push(resourceArn);
  }

  public visit(node: IConstruct): void {
    // bookkeeping for another tool must never stop a synthesis: a failure leaves the findings reported
    try {
      this.acknowledge(node);
    } catch (e) {
      Annotations.of(node).addWarningV2('cdk-imagebuilder-instance-profile:nagAcknowledgments',
        `the cdk-nag acknowledgments of '${this.role.node.path}' could not be recorded, so cdk-nag may report the construct's `
        + `own choices: ${(e as Error).message}`);
    }
  }

  private acknowledge(node: IConstruct): void {
    if (node === this.role) {
      this.nagV2Applied = node.node.scopes.some(scope => Aspects.of(scope).all.some(isNagPack));
      const cfnRole = node.node.defaultChild;
      if (this.nagV2Applied && cfnRole instanceof iam.CfnRole) {
        addNagV2Metadata(cfnRole, IAM4, IAM4_REASON, this.managedPolicyArns.map(arn => `Policy::${this.flatten(arn)}`));
      }
      if (nagV3Applied(node)) {
        acknowledgeV3(node, [
          ...this.managedPolicyArns.map(arn => ({ id: `${IAM4}[Policy::${this.flatten(arn)}]`, reason: IAM4_REASON })),
          ...this.wildcardResources.map(arn => ({ id: `${IAM5}[Resource::${this.flatten(arn)}]`, reason: IAM5_REASON })),
        ]);
      }
    } else if (this.nagV2Applied && (node instanceof iam.Policy || node instanceof iam.ManagedPolicy)) {
      // the default policy, or a policy that aws-cdk-lib split off it: either may hold the folder statements
      const cfn = node.node.defaultChild;
      if (cfn instanceof CfnResource) {
        addNagV2Metadata(cfn, IAM5, IAM5_REASON, this.wildcardResources.map(arn => `Resource::${this.flatten(arn)}`));
      }
    }
  }

  private flatten(value: string): string {
    return flattenCfnReference(Stack.of(this.role).resolve(value));
  }
}

function isNagPack(candidate: unknown): boolean {
  // a cdk-nag NagPack (an aspect in cdk-nag 2, a validation plugin in 3) has a pack name; cdk-nag is not a dependency
  return typeof (candidate as any)?.readPackName === 'string';
}

/** Whether a cdk-nag 3 pack is registered as a validation plugin on a stage that holds the construct. */
function nagV3Applied(construct: IConstruct): boolean {
  if ((cdk as any).Validations === undefined) {
    return false;
  }
  return construct.node.scopes.some(scope => {
    if (!Stage.isStage(scope)) {
      return false;
    }
    // Validations.of(stage).addPlugins and App's policyValidationBeta1 both keep the plugins here (2.257-2.276)
    const plugins: unknown = (scope as any)._validationPlugins ?? (scope as any).policyValidationBeta1;
    return Array.isArray(plugins) && plugins.some(isNagPack);
  });
}

function acknowledgeV3(scope: IConstruct, rules: { id: string; reason: string }[]): void {
  if (rules.length === 0) {
    return;
  }
  try {
    ((cdk as any).Validations as Validations).of(scope).acknowledge(...rules);
  } catch {
    // aws-cdk-lib 2.257.0-2.268.0: "Invalid validation rule ID ... The '::' delimiter is reserved"; cdk-nag 3
    // reads the metadata that acknowledge() would have written, with or without its 'annotation::' prefix
    scope.node.addMetadata(ACKNOWLEDGED_RULES, Object.fromEntries(rules.map(rule => [`annotation::${rule.id}`, rule.reason])));
  }
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
