import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

// IAM's limit for a customer managed policy, in characters without whitespace, less room for the
// document's envelope and for the estimates below being short
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
const MANAGED_POLICY_LIMIT = 6_144;
const BUDGET = MANAGED_POLICY_LIMIT - 144;

// a value known only at deployment counts as this many characters: a bucket ARN is at most 76, a KMS key ARN
// about 90; the pseudo parameters have known maximum lengths
const TOKEN = /\$\{Token\[([^\]]*)\]\}|#\{Token\[([^\]]*)\]\}/g;
const PSEUDO_LENGTHS: Record<string, number> = { 'AWS.Partition': 10, 'AWS.AccountId': 12, 'AWS.Region': 14, 'AWS.URLSuffix': 16 };
const UNKNOWN_LENGTH = 128;
// a statement grows by one resource (or condition value) a grant; past this many, a new one starts
const MAX_ENTRIES_PER_STATEMENT = 20;

/**
 * A statement placed in one of the policies; `grow` reserves room for what is added to it later.
 */
export interface PolicySlot {
  readonly statement: iam.PolicyStatement;
  readonly policy: number;
}

/**
 * The customer managed policies that hold the construct's own statements, attached to the role.
 *
 * Rule packs such as HIPAA, NIST 800-53 and PCI DSS hold that permissions belong in managed policies, not
 * inline ones; aws-cdk-lib splits only a role's default policy, so these are filled up to IAM's size limit
 * here and a new one starts when the next statement would not fit. They are created as statements come,
 * under `scope` with the ids `Policy`, `Policy2`, ..., which are part of the construct's contract.
 */
export class OwnPolicies {
  private readonly policies = new Array<{ readonly policy: iam.ManagedPolicy; size: number }>();
  private readonly open = new Map<string, { slot: PolicySlot; entries: string[] }>();
  // every entry of every statement, by statement id and entry, with the policy that holds it: a statement that
  // is no longer open still allows its entries, so adding one again would only duplicate it
  private readonly placed = new Map<string, number>();

  constructor(private readonly scope: Construct, private readonly role: iam.IRole,
    private readonly onPolicy: (policy: iam.ManagedPolicy) => void = () => {}) {}

  /** The managed policies created so far. */
  public get all(): iam.ManagedPolicy[] {
    return this.policies.map(p => p.policy);
  }

  /**
   * Allows `actions` on `resource`: statements with the same actions and conditions share one statement
   * (up to MAX_ENTRIES_PER_STATEMENT resources), so that many grants cost few policy characters.
   *
   * @returns the policy that holds the statement
   */
  public allow(actions: string[], resource: string, conditions?: Record<string, any>): iam.ManagedPolicy {
    const id = `${actions.join(',')} ${JSON.stringify(conditions ?? {})}`;
    return this.addEntry(id, resource,
      () => new iam.PolicyStatement({ actions, resources: [resource], conditions }),
      statement => statement.addResources(resource));
  }

  /**
   * Adds `entry` to the open statement of `id` (with `extend`; the list that `create` got grows too), or
   * starts a new statement from `create` when there is none, it is full, or its policy is. An entry that a
   * statement of `id` holds already is not added again.
   *
   * @returns the policy that holds the entry's statement
   */
  public addEntry(id: string, entry: string, create: (entries: string[]) => iam.PolicyStatement,
    extend: (statement: iam.PolicyStatement) => void = () => {}, lazyEntries = false): iam.ManagedPolicy {
    const key = JSON.stringify([id, entry]);
    const placed = this.placed.get(key);
    if (placed !== undefined) {
      return this.policies[placed].policy;
    }
    const current = this.open.get(id);
    let slot: PolicySlot;
    if (current && current.entries.length < MAX_ENTRIES_PER_STATEMENT && this.grow(current.slot, entry)) {
      current.entries.push(entry);
      extend(current.slot.statement);
      slot = current.slot;
    } else {
      const entries = [entry];
      // a list that the statement renders lazily counts as one unknown value: its first entry is counted here
      slot = this.add(create(entries), lazyEntries ? estimateSize(entry) + 3 : 0);
      this.open.set(id, { slot, entries });
    }
    this.placed.set(key, slot.policy);
    return this.policies[slot.policy].policy;
  }

  /**
   * Adds a statement to the last policy when it fits, else to a new policy.
   *
   * @param extraSize characters that the statement will have once deployed beyond what its JSON shows now
   */
  public add(statement: iam.PolicyStatement, extraSize = 0): PolicySlot {
    const size = estimateSize(JSON.stringify(statement.toStatementJson())) + 1 + extraSize;
    let index = this.policies.length - 1;
    if (index < 0 || this.policies[index].size + size > BUDGET) {
      index = this.policies.length;
      const policy = new iam.ManagedPolicy(this.scope, index === 0 ? 'Policy' : `Policy${index + 1}`, {
        roles: [this.role],
        // what IAM's console shows next to the policy; a change would replace the policy, so it stays fixed
        description: 'The least-privilege grants of an EC2 Image Builder instance profile (cdk-imagebuilder-instance-profile)',
      });
      this.policies.push({ policy, size: 0 });
      this.onPolicy(policy);
    }
    this.policies[index].policy.addStatements(statement);
    this.policies[index].size += size;
    return { statement, policy: index };
  }

  /**
   * Reserves room for `value` (a resource or condition value) added to the statement of `slot`.
   *
   * @returns false when the statement's policy has no room left, or the statement can no longer change
   *   (aws-cdk-lib freezes statements when it synthesizes them): then start a new statement instead
   */
  public grow(slot: PolicySlot, value: string): boolean {
    const entry = this.policies[slot.policy];
    const size = estimateSize(value) + 3;
    if (slot.statement.frozen || entry.size + size > BUDGET) {
      return false;
    }
    entry.size += size;
    return true;
  }
}

/** The length that a string of a policy will have once deployed, at most (see UNKNOWN_LENGTH). */
export function estimateSize(value: string): number {
  if (!Token.isUnresolved(value) && !value.includes('{Token[')) {
    return value.length;
  }
  let size = value.length;
  for (const match of value.matchAll(TOKEN)) {
    const name = match[1] ?? match[2];
    const pseudo = Object.keys(PSEUDO_LENGTHS).find(p => name.startsWith(p));
    size += (pseudo ? PSEUDO_LENGTHS[pseudo] : UNKNOWN_LENGTH) - match[0].length;
  }
  return size;
}
