import { cfnToText } from '../../../src/private/iam/cfn-text';

// CloudFormation values as texts

describe('cfnToText', () => {
  const noExpansion = () => undefined;

  test('strings are kept, and Fn::Join is put together around the holes of its intrinsics', () => {
    const value = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }, '/*']] };

    const text = cfnToText(value, noExpansion);

    expect(cfnToText('plain', noExpansion)).toBe('plain');
    expect(text).toEqual(['arn:', { hole: '{"Ref":"AWS::Partition"}' }, ':s3:::', { hole: '{"Ref":"Bucket"}' }, '/*']);
  });

  test('expand gives the text of an intrinsic, and a Join of literals is a string', () => {
    const value = { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, 'components', '*']] };

    const text = cfnToText(value, i => 'Fn::GetAtt' in i ? 'arn:aws:s3:::team-artifacts' : undefined);

    expect(text).toBe('arn:aws:s3:::team-artifacts/components/*');
  });

  test('Fn::Sub reads ${Name}, ${Resource.Attribute}, its own variables and ${!Literal}', () => {
    const value = { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}/${Folder}/${Bucket.Arn}/${!aws:username}', { Folder: 'components' }] };

    const text = cfnToText(value, noExpansion);

    expect(text).toEqual([
      'arn:', { hole: '{"Ref":"AWS::Partition"}' }, ':s3:::', { hole: '{"Ref":"Bucket"}' }, '/components/',
      { hole: '{"Fn::GetAtt":["Bucket","Arn"]}' }, '/${aws:username}',
    ]);
  });

  test('identical intrinsics are the same hole, and expand may give holes with a distinct group', () => {
    const expand = (i: Record<string, unknown>) => 'Ref' in i && i.Ref !== 'AWS::Partition'
      ? [{ hole: `bucket ${i.Ref}`, distinctGroup: 'bucket' }] : undefined;

    const first = cfnToText({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}' }, expand);
    const second = cfnToText({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }]] }, expand);

    expect(first).toEqual(second);
    expect(first).toEqual(['arn:', { hole: '{"Ref":"AWS::Partition"}' }, ':s3:::', { hole: 'bucket Bucket', distinctGroup: 'bucket' }]);
  });

  test('other intrinsics are holes; numbers and plain objects are not texts', () => {
    expect(cfnToText({ 'Fn::Select': [0, { Ref: 'List' }] }, noExpansion)).toEqual([{ hole: '{"Fn::Select":[0,{"Ref":"List"}]}' }]);
    expect(cfnToText(42, noExpansion)).toBeUndefined();
    expect(cfnToText({ Key: 'value' }, noExpansion)).toBeUndefined();
    expect(cfnToText({ 'Fn::Join': ['', ['a', 42]] }, noExpansion)).toBeUndefined();
  });
});
