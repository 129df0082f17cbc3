import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';

const MAX_PAGES = 50;

/** A policy statement with every value that may be a string or a list as a sorted list. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string[]>>;
}

/**
 * A policy document as IAM returns it: URL-encoded JSON (real IAM, and moto for some calls) or JSON.
 */
export function parsePolicyDocument(document: string | undefined): { Version?: string; Statement: unknown[] } {
  if (!document) {
    throw new Error('no policy document');
  }
  const json = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  const parsed = JSON.parse(json);
  return { ...parsed, Statement: [parsed.Statement].flat() };
}

/**
 * The statement with lists in a stable order, so that statements compare by meaning.
 */
export function normalizeStatement(statement: any): Statement {
  const list = (v: unknown): string[] => [v ?? []].flat().map(String).sort();
  const unknownKeys = Object.keys(statement).filter(k => !['Sid', 'Effect', 'Action', 'Resource', 'Condition'].includes(k));
  if (unknownKeys.length > 0) {
    // NotAction, NotResource or a principal would change the meaning: compare them explicitly instead
    throw new Error(`unexpected ${unknownKeys.join(', ')} in ${JSON.stringify(statement)}`);
  }
  const result: { -readonly [K in keyof Statement]: Statement[K] } = {
    Effect: statement.Effect,
    Action: list(statement.Action),
    Resource: list(statement.Resource),
  };
  if (statement.Condition) {
    result.Condition = {};
    for (const [operator, keys] of Object.entries<Record<string, unknown>>(statement.Condition)) {
      result.Condition[operator] = {};
      for (const [key, values] of Object.entries(keys)) {
        result.Condition[operator][key] = list(values);
      }
    }
  }
  return result;
}

/** Statements in a stable order, for comparing sets of statements with toEqual. */
export function sortStatements(statements: Statement[]): Statement[] {
  return [...statements].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The inline policies of the role, by name. */
export async function inlinePolicies(iam: IAMClient, roleName: string): Promise<Record<string, Statement[]>> {
  const names = await allPages(async marker => {
    const r = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    return { items: r.PolicyNames ?? [], marker: r.IsTruncated ? r.Marker : undefined };
  });
  const result: Record<string, Statement[]> = {};
  for (const name of names) {
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    result[name] = parsePolicyDocument(policy.PolicyDocument).Statement.map(normalizeStatement);
  }
  return result;
}

/** The ARNs of the managed policies attached to the role. */
export async function attachedPolicyArns(iam: IAMClient, roleName: string): Promise<string[]> {
  return allPages(async marker => {
    const r = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    return { items: (r.AttachedPolicies ?? []).map(p => p.PolicyArn!), marker: r.IsTruncated ? r.Marker : undefined };
  });
}

/** The statements of the default version of a managed policy. */
export async function managedPolicyStatements(iam: IAMClient, arn: string): Promise<Statement[]> {
  const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy!.DefaultVersionId! }));
  return parsePolicyDocument(version.PolicyVersion!.Document).Statement.map(normalizeStatement);
}

/** The names of every role. */
export async function roleNames(iam: IAMClient): Promise<string[]> {
  return allPages(async marker => {
    const r = await iam.send(new ListRolesCommand({ Marker: marker }));
    return { items: (r.Roles ?? []).map(role => role.RoleName!), marker: r.IsTruncated ? r.Marker : undefined };
  });
}

/** The names of every instance profile. */
export async function instanceProfileNames(iam: IAMClient): Promise<string[]> {
  return allPages(async marker => {
    const r = await iam.send(new ListInstanceProfilesCommand({ Marker: marker }));
    return { items: (r.InstanceProfiles ?? []).map(p => p.InstanceProfileName!), marker: r.IsTruncated ? r.Marker : undefined };
  });
}

/** The ARNs of every customer managed policy. */
export async function customerManagedPolicyArns(iam: IAMClient): Promise<string[]> {
  return allPages(async marker => {
    const r = await iam.send(new ListPoliciesCommand({ Scope: 'Local', Marker: marker }));
    return { items: (r.Policies ?? []).map(p => p.Arn!), marker: r.IsTruncated ? r.Marker : undefined };
  });
}

async function allPages<T>(page: (marker: string | undefined) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const result: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const r = await page(marker);
    result.push(...r.items);
    marker = r.marker;
    if (!marker) {
      return result;
    }
  }
  throw new Error(`more than ${MAX_PAGES} pages`);
}

/** What an IAM call about an entity that does not exist rejects with. */
export const NO_SUCH_ENTITY = { name: 'NoSuchEntityException' };
