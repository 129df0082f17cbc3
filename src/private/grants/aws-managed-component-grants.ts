import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { IConstruct } from 'constructs';
import { BUILD_REGION } from '../build-regions';
import { cfnComponentOf, pathOf } from '../component-source';
import { isImportedRole } from '../imported-role';
import { inEveryLanguage } from '../method-names';
import { flattenCfnReference, NagAcknowledgements } from '../nag';
import { constructOf } from '../role-permissions';
import { needStatements } from './aws-managed-component-statements';
import { AwsManagedComponentRow, awsManagedComponentName, awsManagedComponentNeeds } from './aws-managed-components';

const UNKNOWN_WARNING = 'cdk-imagebuilder-instance-profile:unknownAwsManagedComponent';
const MANAGED_POLICY_WARNING = 'cdk-imagebuilder-instance-profile:awsManagedComponentPolicy';

/** How the grants reach the profile's own policies. */
export interface AwsManagedComponentGrantTarget {
  /** the construct that warnings go on */
  readonly scope: IConstruct;
  readonly role: iam.IRole;
  readonly nag: NagAcknowledgements;
  /** allows actions on one resource in the profile's own policies (one with BUILD_REGION in each build region); throws when the role cannot take them */
  allow(prop: string, actions: string[], resource: string, conditions?: Record<string, any>): iam.ManagedPolicy;
}

/**
 * Grants what AWS-managed components need, from the table in aws-managed-components.ts: each row once, however
 * many components, recipes or calls name it.
 */
export class AwsManagedComponentGrants {
  private readonly granted = new Set<AwsManagedComponentRow>();
  private readonly attached = new Set<string>();

  constructor(private readonly target: AwsManagedComponentGrantTarget) {}

  /** Grants what the AWS-managed component `componentName` needs; `prop` is the method that asked, for messages. */
  public grant(prop: string, componentName: string): void {
    if (Token.isUnresolved(componentName)) {
      this.warn(UNKNOWN_WARNING, `${prop}: the AWS-managed component's name is not known until deployment, so nothing was granted for it; `
        + 'give the name as AWS writes it, such as \'ebs-volume-usage-test-linux\'.');
      return;
    }
    const name = awsManagedComponentName(componentName) ?? componentName;
    if (!/^[A-Za-z0-9_.-][A-Za-z0-9_. -]*$/.test(name)) {
      throw new Error(`${prop}: componentName must be the name of an AWS-managed component as AWS writes it, such as `
        + `'ebs-volume-usage-test-linux', or its ARN, got '${componentName}'`);
    }
    const row = awsManagedComponentNeeds(name);
    if (row === undefined) {
      this.warn(UNKNOWN_WARNING, `${prop}: '${name}' is not an AWS-managed component that this library knows, so nothing was granted `
        + 'for it; if it calls AWS APIs beyond EC2InstanceProfileForImageBuilder and AmazonSSMManagedInstanceCore, grant them with '
        + `${inEveryLanguage('addToPrincipalPolicy')}.`);
      return;
    }
    if (row === 'none' || this.granted.has(row)) {
      return;
    }
    this.granted.add(row);
    const stack = Stack.of(this.target.scope);
    // a stack of a known region may serve pipelines of other regions: BUILD_REGION stands for each of them
    const region = Token.isUnresolved(stack.region) ? stack.region : BUILD_REGION;
    for (const statement of needStatements(row, { partition: stack.partition, region, account: stack.account })) {
      const policy = this.target.allow(prop, statement.actions, statement.resource, statement.conditions);
      if (statement.wildcardReason) {
        // acknowledged in the stack's own region; those of other build regions stay reported
        this.target.nag.acknowledgeWildcardResource(policy, statement.resource.split(BUILD_REGION).join(stack.region), statement.wildcardReason);
      }
    }
    for (const policyName of row.managedPolicies ?? []) {
      if (this.attached.has(policyName)) {
        continue;
      }
      this.attached.add(policyName);
      const policy = iam.ManagedPolicy.fromAwsManagedPolicyName(policyName);
      const imported = isImportedRole(this.target.role);
      if (!imported) {
        // an imported role takes no managed policy: aws-cdk-lib would only add a warning of its own beside ours
        this.target.role.addManagedPolicy(policy);
      }
      const reason = `AWS requires ${policyName} on the instance profile for the AWS-managed components ${row.names.join(', ')}; `
        + 'it is attached only because a recipe of the profile uses one of them.';
      this.target.nag.acknowledgeManagedPolicy(policy.managedPolicyArn, reason);
      const attached = !imported
        ? 'it is attached to the role for that component only.'
        : `the role '${this.target.role.node.path}' is imported, so CloudFormation cannot attach it: attach it outside this app.`;
      this.warn(MANAGED_POLICY_WARNING, `${prop}: '${name}' needs the AWS managed policy ${policyName}, which AWS requires for `
        + `${row.names.join(' and ')} and which allows far more than the component calls; ${attached}`);
    }
  }

  private warn(id: string, message: string): void {
    Annotations.of(this.target.scope).addWarningV2(id, message);
  }
}

/** A component of a recipe: one of the app, an AWS-managed one by name, or one that cannot be followed. */
export type RecipeComponent =
  | { readonly kind: 'own'; readonly component: imagebuilder.CfnComponent }
  | { readonly kind: 'aws-managed'; readonly name: string }
  | { readonly kind: 'unknown'; readonly arn: string };

/**
 * The components of an image or container recipe: a CfnImageRecipe or CfnContainerRecipe, or a construct that holds
 * exactly one (the alpha module's ImageRecipe and ContainerRecipe); undefined for anything else. A component list
 * known only at deployment is `'token'`.
 */
export function recipeComponents(recipe: IConstruct): RecipeComponent[] | 'token' | undefined {
  const cfn = cfnRecipeOf(recipe);
  if (!cfn) {
    return undefined;
  }
  const entries: unknown = cfn.components;
  if (entries === undefined) {
    return [];
  }
  if (!Array.isArray(entries)) {
    return 'token';
  }
  return entries.map((entry): RecipeComponent => {
    const arn: unknown = entry?.componentArn;
    const target = constructOf(arn);
    const component = target ? cfnComponentOf(target) : undefined;
    if (component) {
      return { kind: 'own', component };
    }
    const flattened = flattenCfnReference(Stack.of(cfn).resolve(arn));
    const name = awsManagedComponentName(flattened);
    return name === undefined ? { kind: 'unknown', arn: flattened } : { kind: 'aws-managed', name };
  });
}

/** The name of the AWS-managed component that a construct stands for (what the alpha's AmazonManagedComponent returns), if it does. */
export function awsManagedComponentOf(construct: IConstruct): string | undefined {
  if (cfnComponentOf(construct)) {
    return undefined;
  }
  const arn: unknown = (construct as { componentArn?: unknown }).componentArn;
  return typeof arn === 'string' ? awsManagedComponentName(flattenCfnReference(Stack.of(construct).resolve(arn))) : undefined;
}

/** A label for a recipe in messages. */
export function recipeLabel(recipe: IConstruct): string {
  return pathOf(cfnRecipeOf(recipe) ?? recipe);
}

function cfnRecipeOf(recipe: IConstruct): imagebuilder.CfnImageRecipe | imagebuilder.CfnContainerRecipe | undefined {
  const isRecipe = (c: IConstruct): c is imagebuilder.CfnImageRecipe | imagebuilder.CfnContainerRecipe =>
    c instanceof imagebuilder.CfnImageRecipe || c instanceof imagebuilder.CfnContainerRecipe;
  if (isRecipe(recipe)) {
    return recipe;
  }
  const child = recipe.node.defaultChild;
  if (child && isRecipe(child)) {
    return child;
  }
  const found = recipe.node.findAll().filter(isRecipe);
  return found.length === 1 ? found[0] : undefined;
}
