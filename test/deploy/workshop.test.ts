/*
 * The workshop stack (examples/workshop.ts) and a profile with a path, deployed on moto's CloudFormation
 * (a local emulator: `npx projen test:deploy`), then read back through the IAM API and deleted.
 *
 * Left out of the deployed template, because moto 5.2.5's CloudFormation does not implement these types
 * (it would skip them silently and report CREATE_COMPLETE): AWS::ImageBuilder::InfrastructureConfiguration
 * (moto has no Image Builder service) and AWS::S3::BucketPolicy (the bucket's enforceSSL policy). No other
 * resource refers to them; withoutResourceTypes fails if one ever does.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetInstanceProfileCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { App, CfnElement, CfnOutput, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { deleteStack, DeployedStack, deployStack, templateOf, unbootstrappedSynthesizer, withoutResourceTypes } from './cloudformation';
import {
  attachedPolicyArns, customerManagedPolicyArns, inlinePolicies, instanceProfileNames, managedPolicyStatements, NO_SUCH_ENTITY,
  normalizeStatement, parsePolicyDocument, roleNames, sortStatements,
} from './iam';
import { useMoto } from './moto';
import { WorkshopStack } from '../../examples/workshop';
import { ImageBuilderInstanceProfile } from '../../src';

jest.setTimeout(60_000);

const NOT_IN_MOTO = ['AWS::ImageBuilder::InfrastructureConfiguration', 'AWS::S3::BucketPolicy'];
const REQUIRED_MANAGED_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  'arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder',
];

let cfn: CloudFormationClient;
let iam: IAMClient;
useMoto(clients => ({ cfn, iam } = clients));

describe('the workshop stack', () => {
  const app = new App();
  const stack = new WorkshopStack(app, 'ImageBuilderWorkshop', { synthesizer: unbootstrappedSynthesizer() });
  const bucketId = stack.getLogicalId(stack.node.findAll().find(c => c instanceof s3.CfnBucket) as CfnElement);
  let deployed: DeployedStack | undefined;

  function workshop(): DeployedStack {
    if (!deployed) {
      throw new Error('the workshop stack was not deployed');
    }
    return deployed;
  }

  test('reaches CREATE_COMPLETE', async () => {
    const template = templateOf(app, stack.stackName);
    expect(Object.values(template.Resources).map(r => r.Type)).toEqual(expect.arrayContaining(NOT_IN_MOTO));

    deployed = await deployStack(cfn, stack.stackName, withoutResourceTypes(template, NOT_IN_MOTO));

    expect(deployed.physicalIds[stack.getLogicalId(stack.profile.role.node.defaultChild as CfnElement)]).toBe('TeamRole');
  });

  test('creates the instance profile TeamRole at path / holding exactly the role TeamRole', async () => {
    workshop();

    const { InstanceProfile: profile } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'TeamRole' }));

    expect(profile?.Path).toBe('/');
    expect(profile?.Arn).toBe('arn:aws:iam::123456789012:instance-profile/TeamRole');
    expect(profile?.Roles?.map(r => [r.RoleName, r.Path])).toEqual([['TeamRole', '/']]);
  });

  test('the role trusts only ec2.amazonaws.com', async () => {
    workshop();

    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: 'TeamRole' }));

    expect(parsePolicyDocument(role?.AssumeRolePolicyDocument).Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } },
    ]);
  });

  test('the role holds exactly the two required AWS managed policies and the construct\'s one customer managed policy', async () => {
    const policyId = stack.getLogicalId(stack.profile.node.findChild('Policy').node.defaultChild as CfnElement);

    const attached = await attachedPolicyArns(iam, 'TeamRole');

    expect(attached.sort()).toEqual([...REQUIRED_MANAGED_POLICIES, workshop().physicalIds[policyId]].sort());
    expect(await customerManagedPolicyArns(iam)).toEqual([workshop().physicalIds[policyId]]);
  });

  test('the role has no inline policy; its customer managed policy reads components/ and writes logs/ of the bucket, and nothing more', async () => {
    const bucketArn = `arn:aws:s3:::${workshop().physicalIds[bucketId]}`;
    const policyArn = workshop().physicalIds[stack.getLogicalId(stack.profile.node.findChild('Policy').node.defaultChild as CfnElement)];

    expect(await inlinePolicies(iam, 'TeamRole')).toEqual({});
    expect(sortStatements(await managedPolicyStatements(iam, policyArn))).toEqual(sortStatements([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/components/*` },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': 'components/*' } } },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucketArn}/logs/*` },
    ].map(normalizeStatement)));
  });

  test('deleting the stack leaves no role, instance profile or policy behind', async () => {
    await deleteStack(cfn, workshop());
    deployed = undefined;

    await expect(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'TeamRole' }))).rejects.toMatchObject(NO_SUCH_ENTITY);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'TeamRole' }))).rejects.toMatchObject(NO_SUCH_ENTITY);
    expect(await roleNames(iam)).not.toContain('TeamRole');
    expect(await instanceProfileNames(iam)).not.toContain('TeamRole');
    expect(await customerManagedPolicyArns(iam)).toEqual([]);
    // the bucket stays, as its DeletionPolicy Retain says; the emulator is discarded after the tests
  });
});

describe('a profile with the path /imagebuilder/', () => {
  const app = new App();
  const stack = new Stack(app, 'ImageBuilderPath', { synthesizer: unbootstrappedSynthesizer() });
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'PathRole', path: '/imagebuilder/' });
  new CfnOutput(stack, 'ProfileArn', { value: profile.instanceProfileArn });
  const imported = ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Imported', {
    instanceProfileName: 'PathRole',
    path: '/imagebuilder/',
  });
  new CfnOutput(stack, 'ImportedArn', { value: imported.instanceProfileArn });
  let deployed: DeployedStack | undefined;

  test('reaches CREATE_COMPLETE with the profile and its role at /imagebuilder/', async () => {
    deployed = await deployStack(cfn, stack.stackName, templateOf(app, stack.stackName));

    const { InstanceProfile: created } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'PathRole' }));
    expect(created?.Path).toBe('/imagebuilder/');
    expect(created?.Roles?.map(r => [r.RoleName, r.Path])).toEqual([['PathRole', '/imagebuilder/']]);
    expect((await attachedPolicyArns(iam, 'PathRole')).sort()).toEqual(REQUIRED_MANAGED_POLICIES);
    // no grants: the construct creates no customer managed policy
  });

  test('instanceProfileArn and fromInstanceProfileAttributes give the ARN IAM has, path included', async () => {
    if (!deployed) {
      throw new Error('the stack was not deployed');
    }
    const { InstanceProfile: created } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'PathRole' }));

    expect(created?.Arn).toBe('arn:aws:iam::123456789012:instance-profile/imagebuilder/PathRole');
    expect(deployed.outputs).toEqual({ ProfileArn: created?.Arn, ImportedArn: created?.Arn });
  });

  test('deleting the stack removes the profile and its role', async () => {
    if (!deployed) {
      throw new Error('the stack was not deployed');
    }
    await deleteStack(cfn, deployed);

    await expect(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'PathRole' }))).rejects.toMatchObject(NO_SUCH_ENTITY);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'PathRole' }))).rejects.toMatchObject(NO_SUCH_ENTITY);
  });
});
