import { Aspects, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AppTemplates, intrinsic, Located, SynthesizedResource } from './app-templates';

export type AttachedPolicy = iam.CfnPolicy | iam.CfnManagedPolicy | iam.CfnRolePolicy;

interface Watched {
  readonly role: iam.IRole;
  readonly onAttached: (policy: AttachedPolicy) => void;
  readonly policies: AttachedPolicy[];
}

const INDEXES = new WeakMap<Stack, RolePolicies>();

/**
 * The stacks that hold the policies attached to `role` for a construct: the role's, which holds its default policy,
 * and the construct's, which holds the construct's own policies (the two differ when the role comes from another
 * stack).
 */
export function policyStacks(role: iam.IRole, scope: IConstruct): Stack[] {
  return [...new Set([Stack.of(role), Stack.of(scope)])];
}

/** How the Roles of a policy of `stack` name `role`: its name resolved in that stack, as JSON. */
export function roleKey(stack: Stack, role: iam.IRole): string {
  return JSON.stringify(stack.resolve(role.roleName));
}

/** The roles that a policy names, each as JSON resolved in the policy's own stack; undefined when not a list. */
export function policyRoleKeys(policy: AttachedPolicy): string[] | undefined {
  if (policy instanceof iam.CfnRolePolicy) {
    return [JSON.stringify(Stack.of(policy).resolve(policy.roleName))];
  }
  const roles: unknown = Stack.of(policy).resolve(policy.roles);
  return Array.isArray(roles) ? roles.map(role => JSON.stringify(role)) : undefined;
}

/** A policy document that IAM applies to a role, as the template of `stack` holds it. */
export interface FoundDocument {
  /** For messages: the path of the policy, or which inline policy of the role. */
  readonly name: string;
  readonly document: unknown;
  readonly stack: Stack;
}

/** The policies that the app attaches to a role, read from what synthesis will write. */
export interface FoundPolicies {
  /**
   * The documents the app holds: the role's inline Policies, every AWS::IAM::Policy and AWS::IAM::ManagedPolicy
   * whose Roles name it, every AWS::IAM::RolePolicy whose RoleName is it, and the managed policies of the app in
   * its ManagedPolicyArns.
   */
  readonly documents: FoundDocument[];
  /**
   * The policies whose Roles (or RoleName) hold a value that the app does not tell apart from the role (a parameter,
   * an import of a value no stack of the app exports), in the role's account: each may or may not apply.
   */
  readonly uncertain: { readonly document: FoundDocument; readonly roleValue?: unknown; readonly condition?: unknown }[];
  /** The ManagedPolicyArns that are no managed policy of the app (AWS managed, imported), as the role's stack holds them. */
  readonly otherArns: Located[];
  /** The permissions boundary: a managed policy of the app, or an ARN that is none. */
  readonly boundary?: FoundDocument | Located;
  /** Whether the role is imported, so that the app holds only some of its policies. */
  readonly imported: boolean;
}

/**
 * Every policy of the app attached to `role`, in any stack (nested ones too) and however attached, read once every
 * aspect has run and references are resolved: overrides included (`PermissionsBoundary.of(scope).apply(...)`
 * writes one), and a role of another stack named through an import or a nested stack's parameter.
 *
 * @param nameStacks the stacks where an imported role whose name is a token is matched by that token
 */
export function findPolicies(role: iam.IRole, templates: AppTemplates, nameStacks: Stack[]): FoundPolicies {
  const cfnRole = role.node.defaultChild;
  const synthesized = cfnRole && CfnResource.isCfnResource(cfnRole) && cfnRole.cfnResourceType === 'AWS::IAM::Role' ? templates.resourceOf(cfnRole) : undefined;
  const roleName: unknown = synthesized ? synthesized.properties.RoleName : Token.isUnresolved(role.roleName) ? undefined : role.roleName;
  const isRole = (value: unknown, stack: Stack): 'yes' | 'no' | 'maybe' => {
    if (synthesized && templates.referenced(value, stack) === synthesized) {
      return 'yes';
    }
    if (!synthesized && nameStacks.includes(stack) && JSON.stringify(value) === roleKey(stack, role)) {
      return 'yes';
    }
    // IAM attaches a policy only to a role of its own account
    const account = accountOf(stack, Stack.of(role));
    if (account === 'other') {
      return 'no';
    }
    const followed = templates.follow(value, stack);
    if (typeof followed.value === 'string') {
      // a literal name: the role's own, or one that another stack imports it by
      return followed.value !== roleName ? 'no' : account === 'same' ? 'yes' : 'maybe';
    }
    const ref = intrinsic(followed.value, 'Ref');
    if (typeof ref === 'string' && (ref.startsWith('AWS::') || templates.referenced(followed.value, followed.stack))) {
      // a pseudo parameter, or another role of the app
      return 'no';
    }
    return 'maybe';
  };

  const documents: FoundDocument[] = [];
  const uncertain: FoundPolicies['uncertain'] = [];
  const seen = new Set<CfnResource>();
  const documentOf = (resource: SynthesizedResource): FoundDocument =>
    ({ name: resource.element.node.path, document: resource.properties.PolicyDocument, stack: resource.stack });
  const add = (resource: SynthesizedResource) => {
    if (!seen.has(resource.element)) {
      seen.add(resource.element);
      // a policy under a CloudFormation Condition may not be created at all
      if (resource.condition !== undefined) {
        uncertain.push({ document: documentOf(resource), condition: resource.condition });
      } else {
        documents.push(documentOf(resource));
      }
    }
  };
  const attach = (resource: SynthesizedResource, roles: unknown[]) => {
    const answers = roles.map(value => isRole(value, resource.stack));
    if (answers.includes('yes')) {
      add(resource);
    } else if (answers.includes('maybe')) {
      uncertain.push({ document: documentOf(resource), roleValue: roles[answers.indexOf('maybe')] });
    }
  };
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const policy of templates.ofType(type)) {
      const roles: unknown = policy.properties.Roles;
      // a list that is a token as a whole (Fn::Split, say) may hold the role too
      attach(policy, roles === undefined ? [] : Array.isArray(roles) ? roles : [roles]);
    }
  }
  for (const policy of templates.ofType('AWS::IAM::RolePolicy')) {
    attach(policy, [policy.properties.RoleName]);
  }
  if (!synthesized) {
    return { documents, uncertain, otherArns: [], imported: true };
  }

  const stack = synthesized.stack;
  const inline: unknown = synthesized.properties.Policies;
  for (const [i, policy] of (Array.isArray(inline) ? inline : []).entries()) {
    documents.push({ name: `inline policy ${i + 1} of '${role.node.path}'`, document: policy?.PolicyDocument, stack });
  }
  const otherArns: Located[] = [];
  const arns: unknown = synthesized.properties.ManagedPolicyArns;
  for (const arn of Array.isArray(arns) ? arns : []) {
    const managed = templates.referenced(arn, stack);
    if (managed?.element.cfnResourceType === 'AWS::IAM::ManagedPolicy') {
      add(managed);
    } else {
      otherArns.push(templates.follow(arn, stack));
    }
  }
  const boundaryArn: unknown = synthesized.properties.PermissionsBoundary;
  let boundary: FoundDocument | Located | undefined;
  if (boundaryArn !== undefined) {
    const managed = templates.referenced(boundaryArn, stack);
    boundary = managed?.element.cfnResourceType === 'AWS::IAM::ManagedPolicy'
      ? { name: managed.element.node.path, document: managed.properties.PolicyDocument, stack: managed.stack }
      : templates.follow(boundaryArn, stack);
  }
  return { documents, uncertain, otherArns, boundary, imported: false };
}

/**
 * Finds every policy of a stack that CloudFormation attaches to a role through its `Roles` property (or the
 * `RoleName` of an `iam.CfnRolePolicy`), however it was attached: the role's default policy and the managed
 * policies aws-cdk-lib splits off it, `new iam.Policy(..., { roles: [role] })`, `new iam.ManagedPolicy(..., { roles: [role] })`,
 * `attachToRole`, `new iam.CfnRolePolicy(..., { roleName: role.roleName })`.
 *
 * One aspect a stack, run once a synthesis before validation, so that the cost does not grow with the
 * number of roles watched.
 */
export class RolePolicies implements IAspect {
  /** The index of a stack, which sees the policies of that stack attached to a role. */
  public static of(stack: Stack): RolePolicies {
    let index = INDEXES.get(stack);
    if (!index) {
      index = new RolePolicies(stack);
      INDEXES.set(stack, index);
      Aspects.of(stack).add(index);
    }
    return index;
  }

  private readonly watched = new Array<Watched>();
  private byRoleName?: Map<string, Watched[]>;
  // policies whose only role is known without resolving their Roles (the construct's own)
  private readonly known = new WeakMap<IConstruct, iam.IRole>();

  private constructor(private readonly stack: Stack) {}

  /**
   * Calls `onAttached` for every policy of the stack attached to `role` during the next synthesis.
   *
   * @returns the policies found by the last synthesis so far (valid in validations, which run after aspects)
   */
  public watch(role: iam.IRole, onAttached: (policy: AttachedPolicy) => void = () => {}): readonly AttachedPolicy[] {
    const watched: Watched = { role, onAttached, policies: [] };
    this.watched.push(watched);
    this.byRoleName = undefined;
    return watched.policies;
  }

  /**
   * Records that `policy` is attached to `role` only, so that finding it costs no resolution of its Roles (most
   * of a synthesis's policies are the construct's own).
   */
  public attachedTo(policy: iam.CfnPolicy | iam.CfnManagedPolicy, role: iam.IRole): void {
    this.known.set(policy, role);
  }

  public visit(node: IConstruct): void {
    const attached = node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy || node instanceof iam.CfnRolePolicy;
    if (!attached || Stack.of(node) !== this.stack) {
      return;
    }
    const knownRole = this.known.get(node);
    if (knownRole) {
      for (const watched of this.watched) {
        if (watched.role === knownRole && !watched.policies.includes(node)) {
          watched.policies.push(node);
          watched.onAttached(node);
        }
      }
      return;
    }
    const index = this.index();
    for (const role of policyRoleKeys(node) ?? []) {
      for (const watched of index.get(role) ?? []) {
        if (!watched.policies.includes(node)) {
          watched.policies.push(node);
          watched.onAttached(node);
        }
      }
    }
  }

  private index(): Map<string, Watched[]> {
    if (!this.byRoleName) {
      this.byRoleName = new Map();
      for (const watched of this.watched) {
        const name = roleKey(this.stack, watched.role);
        this.byRoleName.set(name, [...this.byRoleName.get(name) ?? [], watched]);
      }
    }
    return this.byRoleName;
  }
}

/**
 * Whether two stacks deploy to one account, as far as synthesis knows: the same literal account, or both agnostic
 * (deployed with the same credentials, as the stacks that reference each other are); unknown when only one is.
 */
function accountOf(a: Stack, b: Stack): 'same' | 'other' | 'unknown' {
  const agnosticA = Token.isUnresolved(a.account);
  const agnosticB = Token.isUnresolved(b.account);
  if (a === b || (agnosticA && agnosticB) || (!agnosticA && !agnosticB && a.account === b.account)) {
    return 'same';
  }
  return agnosticA || agnosticB ? 'unknown' : 'other';
}
