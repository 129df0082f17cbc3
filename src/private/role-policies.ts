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
    const roles: unknown = this.stack.resolve(node.roles);
    if (!Array.isArray(roles)) {
      return;
    }
    const index = this.index();
    for (const role of roles) {
      for (const watched of index.get(JSON.stringify(role)) ?? []) {
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
        const name = JSON.stringify(this.stack.resolve(watched.role.roleName));
        this.byRoleName.set(name, [...this.byRoleName.get(name) ?? [], watched]);
      }
    }
    return this.byRoleName;
  }
}
