import { App, Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ImageBuilderInstanceProfile } from '../src';

// bad input as JavaScript (or any jsii language) can pass it: each is an Error that names the prop or method
// and shows the value, never a TypeError from deep inside

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
}

describe('key prefixes', () => {
  test.each([
    ['components//', "must not contain an empty folder name ('//')"],
    ['//', "must not start with '/'"],
    ['a/b//', "must not contain an empty folder name ('//')"],
    ['', 'must not be empty (leave keyPrefix / key_prefix out for the whole bucket)'],
  ])('given keyPrefix %p, then construction is an error naming keyPrefix and showing the value', (keyPrefix, problem) => {
    // given
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    // when / then
    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix }] }))
      .toThrow(`artifactLocations[0].keyPrefix ${problem}: give the folder as a plain S3 key prefix such as 'components' or 'logs/imagebuilder', got '${keyPrefix}'`);
  });

  test('given an empty log keyPrefix, then construction is an error naming logLocation.keyPrefix', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { logLocation: { bucket, keyPrefix: '' } }))
      .toThrow(/^logLocation\.keyPrefix must not be empty .* got ''$/);
  });

  test('given a prefix that mixes a token and literal text, then the literal * is escaped', () => {
    // given
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'team-artifacts');

    // when
    new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: `${Aws.ACCOUNT_ID}/rel*` }] });

    // then
    const text = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(text).toContain('/rel${*}');
    expect(text).not.toMatch(/\/rel\*/);
  });

  test.each([
    [`/${Aws.ACCOUNT_ID}`, "must not start with '/'"],
    [`${Aws.ACCOUNT_ID}//x`, "must not contain an empty folder name ('//')"],
  ])('given a mixed token prefix whose literal text is bad, then construction is an error', (keyPrefix, problem) => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'team-artifacts');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix }] }))
      .toThrow(`artifactLocations[0].keyPrefix ${problem}`);
  });
});

describe('values of the wrong type from JavaScript', () => {
  const bucketOf = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Bucket', 'team-artifacts');

  test.each<[string, (stack: Stack) => any, RegExp]>([
    ['a location without bucket', () => ({ artifactLocations: [{ keyPrefix: 'components' }] }), /^artifactLocations\[0\]\.bucket must be a bucket .*got undefined$/],
    ['logLocation: {}', () => ({ logLocation: {} }), /^logLocation\.bucket must be a bucket .*got undefined$/],
    ['a numeric keyPrefix', stack => ({ artifactLocations: [{ bucket: bucketOf(stack), keyPrefix: 42 }] }), /^artifactLocations\[0\]\.keyPrefix must be a string or left out, got number 42$/],
    ['a location that is a string', () => ({ artifactLocations: ['components'] }), /^artifactLocations\[0\] must be a BucketLocation .*got 'components'$/],
    ['artifactLocations that is not a list', stack => ({ artifactLocations: { bucket: bucketOf(stack) } }), /^artifactLocations must be a list or left out/],
    ['a numeric roleName', () => ({ roleName: 7 }), /^roleName must be a string or left out, got number 7$/],
    ['readAllParameters as a string', () => ({ readAllParameters: 'false' }), /^readAllParameters must be true, false or left out, got 'false'$/],
    ['containerRepositories with undefined', () => ({ containerRepositories: [undefined] }), /^containerRepositories\[0\] must be a repository .*got undefined$/],
    ['managedPolicies with a string', () => ({ managedPolicies: ['arn:aws:iam::aws:policy/X'] }), /^managedPolicies\[0\] must be a managed policy/],
    ['a role that is a string', () => ({ role: 'TeamRole' }), /^role must be a role .*got 'TeamRole'$/],
    ['props that are null', () => null, /^props must be an ImageBuilderInstanceProfileProps, got null$/],
  ])('given %s, then construction is an Error naming the prop, not a TypeError', (_what, props, message) => {
    const stack = newStack();

    let error: unknown;
    try {
      new ImageBuilderInstanceProfile(stack, 'Profile', props(stack));
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  test.each<[string, (profile: ImageBuilderInstanceProfile) => void, RegExp]>([
    ['addComponent(undefined)', p => p.addComponent(undefined as any), /^addComponent must be a component .*got undefined$/],
    ['addParameter(undefined)', p => p.addParameter(undefined as any), /^addParameter must be a parameter .*got undefined$/],
    ['addSecret(undefined)', p => p.addSecret(undefined as any), /^addSecret must be a secret .*got undefined$/],
    ['addContainerRepository(null)', p => p.addContainerRepository(null as any), /^addContainerRepository must be a repository .*got null$/],
    ['addArtifactLocation(undefined)', p => p.addArtifactLocation(undefined as any), /^addArtifactLocation must be a BucketLocation .*got undefined$/],
    ['addArtifactLocation({})', p => p.addArtifactLocation({} as any), /^addArtifactLocation\.bucket must be a bucket/],
    ['addUploadLocation(undefined)', p => p.addUploadLocation(undefined as any), /^addUploadLocation must be a BucketLocation .*got undefined$/],
    ['addRecipe(undefined)', p => p.addRecipe(undefined as any), /^addRecipe must be a recipe .*got undefined$/],
    ['addComponentData(3)', p => p.addComponentData(3 as any), /^addComponentData: data must be a string, got number 3$/],
    ['addAwsManagedComponent(undefined)', p => p.addAwsManagedComponent(undefined as any), /^addAwsManagedComponent: componentName must be a string, got undefined$/],
    ['grantPassRole(undefined)', p => p.grantPassRole(undefined as any), /^grantPassRole must be a grantee .*got undefined$/],
    ['addManagedPolicy(undefined)', p => p.addManagedPolicy(undefined as any), /^addManagedPolicy must be a managed policy .*got undefined$/],
    ['addToPrincipalPolicy({})', p => p.addToPrincipalPolicy({} as any), /^addToPrincipalPolicy must be a policy statement/],
  ])('given %s, then the call is an Error naming the method, not a TypeError', (_what, call, message) => {
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    let error: unknown;
    try {
      call(profile);
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  test.each<[string, (stack: Stack) => void, RegExp]>([
    ['fromInstanceProfileName(undefined)', s => ImageBuilderInstanceProfile.fromInstanceProfileName(s, 'I', undefined as any), /^fromInstanceProfileName: instanceProfileName must be a string/],
    ['fromInstanceProfileArn(5)', s => ImageBuilderInstanceProfile.fromInstanceProfileArn(s, 'I', 5 as any), /^fromInstanceProfileArn: instanceProfileArn must be a string/],
    ['fromInstanceProfileAttributes(undefined)', s => ImageBuilderInstanceProfile.fromInstanceProfileAttributes(s, 'I', undefined as any), /^fromInstanceProfileAttributes must be/],
    ['fromInstanceProfileAttributes({ role: "x" })', s => ImageBuilderInstanceProfile.fromInstanceProfileAttributes(s, 'I', { instanceProfileName: 'P', role: 'x' as any }), /^fromInstanceProfileAttributes: role must be a role/],
  ])('given %s, then the importer is an Error naming it', (_what, call, message) => {
    const stack = newStack();

    expect(() => call(stack)).toThrow(message);
    expect(() => call(newStack())).not.toThrow(TypeError);
  });

  test('a valid statement is still added', () => {
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    expect(profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })).statementAdded).toBe(true);
  });
});
