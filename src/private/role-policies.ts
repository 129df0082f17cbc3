import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

type AttachedPolicy = iam.CfnPolicy | iam.CfnManagedPolicy;

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
  const roles: unknown = Stack.of(policy).resolve(policy.roles);
  return Array.isArray(roles) ? roles.map(role => JSON.stringify(role)) : undefined;
}

/**
 * Finds every policy of a stack that CloudFormation attaches to a role through its `Roles` property,
 * however it was attached: the role's default policy and the managed policies aws-cdk-lib splits off it,
 * `new iam.Policy(..., { roles: [role] })`, `new iam.ManagedPolicy(..., { roles: [role] })`, `attachToRole`.
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
    if (!(node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) || Stack.of(node) !== this.stack) {
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
