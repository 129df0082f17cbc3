/*
 * A profile with 60 artifact folders in 20 buckets: the construct must split its statements into customer
 * managed policies within IAM's size limit, and the deployed role must still grant every folder
 * (`npx projen test:deploy` runs it on moto). Every resource type of this stack is deployed.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetInstanceProfileCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import {
  deleteStack, DeployedStack, deployStack, resolvePseudoParameters, Template, templateOf, unbootstrappedSynthesizer,
} from './cloudformation';
import {
  attachedPolicyArns, customerManagedPolicyArns, inlinePolicies, managedPolicyStatements, NO_SUCH_ENTITY,
  normalizeStatement, Statement,
} from './iam';
import { useMoto } from './moto';
import { scaleProfile, SCALE_BUCKETS, SCALE_FOLDERS } from '../helpers/scenarios';

jest.setTimeout(90_000);

// IAM's limit for one managed policy; whitespace does not count
const MAX_MANAGED_POLICY_CHARS = 6_144;
const BUCKETS = SCALE_BUCKETS;
const FOLDERS = SCALE_FOLDERS;
const ROLE_NAME = 'ImageBuilderScale';
const AWS_MANAGED = [
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  'arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder',
];

const app = new App();
const stack = new Stack(app, 'ImageBuilderScale', { synthesizer: unbootstrappedSynthesizer() });
const profile = scaleProfile(stack, ROLE_NAME);
const folders = Array.from({ length: FOLDERS }, (_, j) => ({ bucketName: `artifacts-${j % BUCKETS}`, keyPrefix: `team-${j}/components` }));
const roleId = stack.getLogicalId(profile.role.node.defaultChild as CfnElement);
const template: Template = templateOf(app, stack.stackName);

// what each folder needs, and all that the role may hold besides the AWS managed policies, as one
// 'action resource s3:prefix' line for each permission (the construct merges the folders of a bucket
// into few statements, so statements are not compared one to one)
const expectedGrants = folders.flatMap(f => [
  `Allow s3:GetObject arn:aws:s3:::${f.bucketName}/${f.keyPrefix}/* -`,
  `Allow s3:ListBucket arn:aws:s3:::${f.bucketName} ${f.keyPrefix}/*`,
]).sort();

function grantsOf(statements: Statement[]): string[] {
  const asList = (value: unknown) => [value ?? '-'].flat() as string[];
  return statements.map(normalizeStatement).flatMap((s: any) => asList(s.Action).flatMap(action => asList(s.Resource).flatMap(resource =>
    asList(s.Condition?.StringLike?.['s3:prefix']).map(prefix => `${s.Effect} ${action} ${resource} ${prefix}`)))).sort();
}

function attachedToRole(resource: { Properties?: any }): boolean {
  return (resource.Properties?.Roles ?? []).some((r: unknown) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }));
}

/** The size IAM counts: JSON without whitespace, after CloudFormation resolved it. */
function iamSize(document: unknown): number {
  // aws-us-gov is the longest partition name: the size holds in every partition
  return JSON.stringify(resolvePseudoParameters(document, { partition: 'aws-us-gov' })).length;
}

describe('the synthesized template', () => {
  const resources = Object.values(template.Resources);
  const role = template.Resources[roleId];
  const inlineDocuments = [
    ...resources.filter(r => r.Type === 'AWS::IAM::Policy' && attachedToRole(r)).map(r => r.Properties.PolicyDocument),
    ...(role.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument),
  ];
  const managedPolicies = resources.filter(r => r.Type === 'AWS::IAM::ManagedPolicy');

  test('gives the role no inline policy: the construct\'s statements are all in its managed policies', () => {
    expect(inlineDocuments).toEqual([]);
  });

  test('splits the statements into managed policies attached to the role, each within 6,144 characters', () => {
    // README says how many: one per about 6,000 characters of statements
    expect(managedPolicies.length).toBe(4);
    for (const policy of managedPolicies) {
      expect(attachedToRole(policy)).toBe(true);
      expect(iamSize(policy.Properties.PolicyDocument)).toBeLessThanOrEqual(MAX_MANAGED_POLICY_CHARS);
    }
  });

  test('makes the instance profile depend on every one of them, so nothing uses it before they exist', () => {
    const profileId = stack.getLogicalId(profile.instanceProfile.node.defaultChild as CfnElement);
    const policyIds = Object.keys(template.Resources).filter(id => template.Resources[id].Type === 'AWS::IAM::ManagedPolicy');

    expect(policyIds.length).toBe(managedPolicies.length);
    // the role itself needs no DependsOn: the profile refers to it
    expect([template.Resources[profileId].DependsOn ?? []].flat()).toEqual(expect.arrayContaining(policyIds));
  });

  test('splits the statements without losing or adding any', () => {
    const statements = [...inlineDocuments, ...managedPolicies.map(p => p.Properties.PolicyDocument)]
      .flatMap(d => (resolvePseudoParameters(d, { partition: 'aws' }) as { Statement: Statement[] }).Statement);

    expect(grantsOf(statements)).toEqual(expectedGrants);
  });
});

describe('deployed', () => {
  let cfn: CloudFormationClient;
  let iam: IAMClient;
  let deployed: DeployedStack | undefined;
  useMoto(clients => ({ cfn, iam } = clients));

  test('reaches CREATE_COMPLETE', async () => {
    deployed = await deployStack(cfn, stack.stackName, template);
  });

  test('the role holds the AWS managed policies and the construct\'s customer managed policies', async () => {
    expect(deployed).toBeDefined();
    const own = Object.keys(template.Resources).filter(id => template.Resources[id].Type === 'AWS::IAM::ManagedPolicy');

    const attached = await attachedPolicyArns(iam, ROLE_NAME);

    expect(attached.sort()).toEqual([...AWS_MANAGED, ...own.map(id => deployed!.physicalIds[id])].sort());
  });

  test('the role\'s customer managed policies together grant every one of the 60 folders, and nothing else', async () => {
    expect(deployed).toBeDefined();
    expect(await inlinePolicies(iam, ROLE_NAME)).toEqual({});
    const granted: Statement[] = [];
    for (const arn of await attachedPolicyArns(iam, ROLE_NAME)) {
      if (!AWS_MANAGED.includes(arn)) {
        granted.push(...await managedPolicyStatements(iam, arn));
      }
    }

    const grants = grantsOf(granted);
    expect(expectedGrants.filter(g => !grants.includes(g))).toEqual([]);
    expect(grants).toEqual(expectedGrants);
  });

  test('deleting the stack removes the role, the instance profile and the managed policies', async () => {
    expect(deployed).toBeDefined();

    await deleteStack(cfn, deployed!);

    await expect(iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).rejects.toMatchObject(NO_SUCH_ENTITY);
    await expect(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: ROLE_NAME }))).rejects.toMatchObject(NO_SUCH_ENTITY);
    expect(await customerManagedPolicyArns(iam)).toEqual([]);
  });
});
