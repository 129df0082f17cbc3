import * as cdk from 'aws-cdk-lib';
import { Annotations, Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

const IAM4 = 'AwsSolutions-IAM4';
const IAM5 = 'AwsSolutions-IAM5';
const IAM4_REASON = 'EC2 Image Builder requires this AWS managed policy on the instance profile of its build and test instances; '
  + 'AWS maintains it as the service changes.';
// aws-cdk-lib's AspectPriority.MUTATING (2.172+): run before cdk-nag 2, whose checks use the default priority
const MUTATING_PRIORITY = 200;
// Validations.ACKNOWLEDGED_RULES_METADATA_KEY (aws-cdk-lib 2.257+): the metadata that cdk-nag 3 reads
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

interface Acknowledgment {
  readonly rule: string;
  /**
   * the finding, for rules that name one (`Policy::<arn>`, `Resource::<arn>`), with its value unresolved;
   * `id` is the finding as cdk-nag names it, once resolved
   */
  readonly finding?: { readonly kind: string; readonly value: string; id?: string };
  readonly reason: string;
}

/**
 * Records which cdk-nag findings on the role and on the construct's own policies come from the construct's
 * own choices, and acknowledges exactly those: one finding id each, never a whole rule, and only for the
 * packs that are applied.
 *
 * Nothing is written unless a cdk-nag pack is applied, so apps without cdk-nag pay only for one aspect
 * visit per construct of the profile:
 * - cdk-nag 2 packs are aspects; they read `cdk_nag` metadata on the CloudFormation resource that holds
 *   the finding, which this aspect writes just before the pack checks that resource.
 * - cdk-nag 3 packs are validation plugins of a stage; they run after synthesis and read the
 *   acknowledged-rules metadata on the resource or an ancestor, which `Validations.acknowledge` writes.
 *   This aspect writes that metadata directly, one entry a construct: aws-cdk-lib 2.257.0-2.268.0 reject a
 *   finding id that holds '::' (every IAM4 and IAM5 finding does), and later releases record a stack trace
 *   for every acknowledgment.
 */
export class NagAcknowledgements implements IAspect {
  private readonly onRole = new Array<Acknowledgment>();
  // by the policy that holds the statement: a policy that carried every finding of every other policy would
  // grow its template with each folder, toward CloudFormation's template size limit
  private readonly onOwnPolicies = new Map<IConstruct, Acknowledgment[]>();
  private packs?: { readonly v2: Set<string>; readonly v3: Set<string> };

  constructor(scope: IConstruct, private readonly role: iam.IRole) {
    // the aspect on the construct visits the role too, unless the role is the user's, elsewhere in the tree
    const targets = role.node.scopes.includes(scope) ? [scope] : [scope, role];
    for (const target of targets) {
      const aspects: any = Aspects.of(target);
      aspects.add(this, { priority: MUTATING_PRIORITY });
    }
  }

  /** An AWS managed policy that the construct itself attaches to the role (AwsSolutions-IAM4), and why. */
  public acknowledgeManagedPolicy(policyArn: string, reason: string = IAM4_REASON): void {
    this.onRole.push({ rule: IAM4, finding: { kind: 'Policy', value: policyArn }, reason });
  }

  /**
   * A resource with a '*' that the construct itself grants (AwsSolutions-IAM5), and why that is sound.
   *
   * @param policy the construct's own policy whose statement holds the resource, where cdk-nag reports it
   */
  public acknowledgeWildcardResource(policy: IConstruct, resourceArn: string, reason: string): void {
    const acknowledgments = this.onOwnPolicies.get(policy) ?? [];
    acknowledgments.push({ rule: IAM5, finding: { kind: 'Resource', value: resourceArn }, reason });
    this.onOwnPolicies.set(policy, acknowledgments);
  }

  public visit(node: IConstruct): void {
    // bookkeeping for another tool must never stop a synthesis: a failure leaves the findings reported
    try {
      if (node === this.role) {
        this.packs = appliedPacks(node);
        this.acknowledge(node, this.onRole);
      } else if (this.onOwnPolicies.has(node)) {
        this.packs ??= appliedPacks(node);
        this.acknowledge(node, this.onOwnPolicies.get(node)!);
      }
    } catch (e) {
      Annotations.of(node).addWarningV2('cdk-imagebuilder-instance-profile:nagAcknowledgments',
        `the cdk-nag acknowledgments of '${node.node.path}' could not be recorded, so cdk-nag may report the construct's `
        + `own choices: ${(e as Error).message}`);
    }
  }

  private acknowledge(node: IConstruct, acknowledgments: Acknowledgment[]): void {
    const { v2, v3 } = this.packs!;
    if (v2.size === 0 && v3.size === 0) {
      return;
    }
    const applying = (packs: Set<string>) => acknowledgments.filter(a => packs.has(a.rule.slice(0, a.rule.lastIndexOf('-'))))
      .map(a => ({ rule: a.rule, finding: a.finding && findingId(node, a.finding), reason: a.reason }));
    const cfn = node.node.defaultChild;
    if (v2.size > 0 && cfn instanceof CfnResource) {
      addNagV2Metadata(cfn, applying(v2));
    }
    if (v3.size > 0) {
      acknowledgeV3(node, applying(v3).map(a => ({ id: a.finding ? `${a.rule}[${a.finding}]` : a.rule, reason: a.reason })));
    }
  }
}

/** The finding as cdk-nag names it: resolved once, however many pack versions read it. */
function findingId(node: IConstruct, finding: { readonly kind: string; readonly value: string; id?: string }): string {
  finding.id ??= `${finding.kind}::${flattenCfnReference(Stack.of(node).resolve(finding.value))}`;
  return finding.id;
}

/** The names of the cdk-nag packs applied to a construct: as aspects (cdk-nag 2) and as validation plugins (3). */
function appliedPacks(construct: IConstruct): { v2: Set<string>; v3: Set<string> } {
  const v2 = new Set(construct.node.scopes.flatMap(scope => Aspects.of(scope).all).filter(isNagPack).map(packName));
  const v3 = new Set<string>();
  if ((cdk as any).Validations !== undefined) {
    for (const scope of construct.node.scopes) {
      if (Stage.isStage(scope)) {
        // Validations.of(stage).addPlugins and App's policyValidationBeta1 both keep the plugins here (2.257-2.276)
        const plugins: unknown = (scope as any)._validationPlugins ?? (scope as any).policyValidationBeta1;
        (Array.isArray(plugins) ? plugins : []).filter(isNagPack).forEach(plugin => v3.add(packName(plugin)));
      }
    }
  }
  return { v2, v3 };
}

function packName(pack: unknown): string {
  return (pack as any).readPackName;
}

function isNagPack(candidate: unknown): boolean {
  // a cdk-nag NagPack (an aspect in cdk-nag 2, a validation plugin in 3) has a pack name; cdk-nag is not a dependency
  return typeof (candidate as any)?.readPackName === 'string';
}

function acknowledgeV3(scope: IConstruct, rules: { id: string; reason: string }[]): void {
  if (rules.length === 0) {
    return;
  }
  // what Validations.acknowledge records (cdk-nag 3 strips the 'annotation::' prefix, in either case), written
  // directly: aws-cdk-lib 2.257.0-2.268.0 reject these ids ("The '::' delimiter is reserved"), and from 2.269.0
  // acknowledge() captures a stack trace for every rule, which made a synthesis with a pack a third slower
  scope.node.addMetadata(ACKNOWLEDGED_RULES, Object.fromEntries(rules.map(rule => [`annotation::${rule.id}`, rule.reason])));
}

function addNagV2Metadata(resource: CfnResource, acknowledgments: { rule: string; finding?: string; reason: string }[]): void {
  if (acknowledgments.length === 0) {
    return;
  }
  const metadata = resource.getMetadata('cdk_nag') ?? {};
  let rules: any[] = metadata.rules_to_suppress ?? [];
  for (const { rule, finding, reason } of acknowledgments) {
    const existing = rules.find(r => r.id === rule && r.reason === reason);
    if (finding === undefined) {
      rules = [...rules.filter(r => r !== existing), { id: rule, reason }];
      continue;
    }
    const appliesTo = new Set<string>([...existing?.applies_to ?? [], finding]);
    rules = [...rules.filter(r => r !== existing), { id: rule, reason, applies_to: [...appliesTo] }];
  }
  resource.addMetadata('cdk_nag', { ...metadata, rules_to_suppress: rules });
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
