import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { escapeIamPattern } from '../../src/private/iam-pattern';

test('escapeIamPattern escapes the characters IAM reads as a wildcard or a policy variable', () => {
  expect(escapeIamPattern('scripts/install?.sh')).toBe('scripts/install${?}.sh');
  expect(escapeIamPattern('home/${aws:username}/*.sh')).toBe('home/${$}{aws:username}/${*}.sh');
  expect(escapeIamPattern('plain/key.zip')).toBe('plain/key.zip');
});

test('escapeIamPattern leaves tokens as they are and escapes the text around them', () => {
  const stack = new Stack(new App(), 'Stack');
  const name = new s3.Bucket(stack, 'Bucket').bucketName;

  const pattern = escapeIamPattern(`a*b/${name}/c?$`);

  expect(stack.resolve(pattern)).toEqual(stack.resolve(`a\${*}b/${name}/c\${?}\${$}`));
});
