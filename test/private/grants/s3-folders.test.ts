import * as s3 from 'aws-cdk-lib/aws-s3';
import { fakeProfileGrants } from './helpers';
import { KmsGrants } from '../../../src/private/grants/kms';
import { S3FolderGrants } from '../../../src/private/grants/s3-folders';
import { S3Statements } from '../../../src/private/s3-statements';

function setup() {
  const { stack, policies, grants } = fakeProfileGrants();
  const kms = new KmsGrants(stack, policies);
  const statements = new S3Statements(policies, { s3: (access, key, bucket, objects) => kms.s3(access, key, bucket, objects) });
  const folders = new S3FolderGrants(grants, statements);
  return { stack, policies, folders };
}

describe('S3FolderGrants', () => {
  test('given the same folder twice, then it is granted and recorded once, with the prop that named it first', () => {
    // given
    const { stack, policies, folders } = setup();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'team-artifacts');

    // when
    folders.folder('artifactLocations', 'read', bucket, 'components');
    folders.folder('addArtifactLocation', 'read', bucket, 'components');
    folders.folder('addUploadLocation', 'write', bucket, 'results');

    // then
    expect(folders.reads.map(r => [r.label, r.keyPattern])).toEqual([['artifactLocations', 'components']]);
    expect(folders.writes.map(w => [w.label, w.keyPattern])).toEqual([['addUploadLocation', 'results']]);
    const actions = policies.all.flatMap(p => stack.resolve(p.document.toJSON()).Statement).map((s: any) => s.Action);
    expect(actions).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });

  test('given a document that names a bucket the app does not hold, then the bucket is imported under the profile, once', () => {
    const { stack, folders } = setup();
    const need = (key: string) => ({
      step: 'build/Get', access: 'read', bucketName: 'team-artifacts', key: [key], folder: false, uri: `s3://team-artifacts/${key}`,
    }) as any;

    folders.need(need('a.sh'));
    folders.need(need('b.sh'));

    expect(stack.node.tryFindChild('ComponentBucketteam-artifacts')).toBeDefined();
    expect(folders.reads.map(r => r.keyPattern)).toEqual(['a.sh', 'b.sh']);
  });
});
