import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CustomResource, Fn, Stack } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { cfnComponentOf, componentSource, pathOf } from '../../src/private/component-source';
import { downloadDocument } from '../helpers/component-documents';

const DOCUMENT = downloadDocument('fetch', 's3://artifacts/components/install.sh', '/tmp/install.sh');

function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

function component(scope: Construct, id: string, props: Partial<imagebuilder.CfnComponentProps>): imagebuilder.CfnComponent {
  return new imagebuilder.CfnComponent(scope, id, { name: 'my-component', platform: 'Linux', version: '1.0.0', ...props });
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'component-source-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A file of the temporary directory with the given content. */
function file(name: string, content: string): string {
  const at = path.join(tmp, name);
  fs.writeFileSync(at, content);
  return at;
}

describe('cfnComponentOf', () => {
  test('a CfnComponent is its own', () => {
    // given
    const stack = newStack();
    const cfn = component(stack, 'Component', { data: DOCUMENT });

    // when / then
    expect(cfnComponentOf(cfn)).toBe(cfn);
  });

  test('an L2 whose default child is a CfnComponent, like the alpha module\'s Component', () => {
    // given
    const stack = newStack();
    const l2 = new Construct(stack, 'Component');
    const cfn = component(l2, 'Resource', { data: DOCUMENT });
    new Construct(l2, 'Other');

    // when / then
    expect(cfnComponentOf(l2)).toBe(cfn);
  });

  test('a construct with exactly one CfnComponent child, whatever its id', () => {
    // given
    const stack = newStack();
    const wrapper = new Construct(stack, 'Wrapper');
    const cfn = component(wrapper, 'Inner', { data: DOCUMENT });
    new Construct(wrapper, 'Sibling');

    // when / then
    expect(cfnComponentOf(wrapper)).toBe(cfn);
  });

  test('nothing for a construct with two CfnComponent children, or none', () => {
    // given
    const stack = newStack();
    const two = new Construct(stack, 'Two');
    component(two, 'A', { data: DOCUMENT });
    component(two, 'B', { data: DOCUMENT });
    const none = new Construct(stack, 'None');
    new Construct(none, 'Child');

    // when / then
    expect(cfnComponentOf(two)).toBeUndefined();
    expect(cfnComponentOf(none)).toBeUndefined();
    expect(cfnComponentOf(new s3.Bucket(stack, 'Bucket'))).toBeUndefined();
  });
});

describe('pathOf', () => {
  test('the path of the L2 around an L1 whose id is Resource, else the construct\'s own path', () => {
    // given
    const stack = newStack();
    const l2 = new Construct(stack, 'Component');
    const resource = component(l2, 'Resource', { data: DOCUMENT });
    const other = component(l2, 'Other', { data: DOCUMENT });

    // when / then
    expect(pathOf(resource)).toBe('Stack/Component');
    expect(pathOf(other)).toBe('Stack/Component/Other');
    expect(pathOf(l2)).toBe('Stack/Component');
  });
});

describe('componentSource', () => {
  test('inline data is the document, and the label names the component', () => {
    // given
    const stack = newStack();
    const cfn = component(stack, 'Component', { data: DOCUMENT });

    // when
    const source = componentSource(cfn);

    // then
    expect(source).toEqual({ label: "component 'my-component'", component: cfn, data: DOCUMENT });
  });

  test('a component whose name is a token is labelled by its path', () => {
    // given
    const stack = newStack();
    const l2 = new Construct(stack, 'Named');
    const cfn = component(l2, 'Resource', { data: DOCUMENT, name: new CfnParameter(stack, 'Name').valueAsString });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.label).toBe("component 'Stack/Named'");
    expect(source.data).toBe(DOCUMENT);
  });

  test('data known only at deployment cannot be read', () => {
    // given
    const stack = newStack();
    const cfn = component(stack, 'Component', { data: new CfnParameter(stack, 'Data').valueAsString });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.data).toBeUndefined();
    expect(source.problem).toBe('has data that is not known until deployment');
  });

  test('a component with neither data nor uri has nothing to read', () => {
    // given
    const stack = newStack();
    const cfn = component(stack, 'Component', {});

    // when
    const source = componentSource(cfn);

    // then
    expect(source).toEqual({ label: "component 'my-component'", component: cfn, problem: 'has neither data nor a uri' });
  });

  test('the uri of an object already in S3 cannot be read, literal or known at deployment', () => {
    // given
    const stack = newStack();
    const literal = component(stack, 'Literal', { uri: 's3://artifacts/components/fetch.yml' });
    const bucket = new s3.Bucket(stack, 'Bucket');
    const token = component(stack, 'Token', { uri: bucket.s3UrlForObject('components/fetch.yml') });

    // when
    const literalSource = componentSource(literal);
    const tokenSource = componentSource(token);

    // then
    expect(literalSource.data).toBeUndefined();
    expect(literalSource.problem).toBe("is given by uri ('s3://artifacts/components/fetch.yml')");
    expect(tokenSource.data).toBeUndefined();
    expect(tokenSource.problem).toBe("is given by uri ('an S3 object known at deployment')");
  });

  test('the uri of a local file asset of the app is read from the file', () => {
    // given
    const stack = newStack();
    const content = downloadDocument('from-asset', 's3://artifacts/assets/tool.zip', '/tmp/tool.zip');
    const asset = new s3assets.Asset(stack, 'Document', { path: file('document.yml', content) });
    const cfn = component(stack, 'Component', { uri: asset.s3ObjectUrl });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.problem).toBeUndefined();
    expect(source.data).toBe(content);
  });

  test('the file asset is found by the bucket URL of its object too', () => {
    // given
    const stack = newStack();
    const content = downloadDocument('by-bucket-url', 's3://artifacts/assets/other.zip', '/tmp/other.zip');
    const asset = new s3assets.Asset(stack, 'Document', { path: file('by-bucket-url.yml', content) });
    new s3assets.Asset(stack, 'Unrelated', { path: file('unrelated.yml', DOCUMENT) });
    const cfn = component(stack, 'Component', { uri: asset.bucket.s3UrlForObject(asset.s3ObjectKey) });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.data).toBe(content);
  });

  test('a directory asset is not one file, so it is not read', () => {
    // given
    const stack = newStack();
    const directory = path.join(tmp, 'directory');
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, 'a.yml'), DOCUMENT);
    const asset = new s3assets.Asset(stack, 'Folder', { path: directory });
    const cfn = component(stack, 'Component', { uri: asset.s3ObjectUrl });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.data).toBeUndefined();
    expect(source.problem).toBe("is given by an asset ('Stack/Folder') that is not one file");
  });

  test('a file asset whose file is gone is a problem that names the file, not an exception', () => {
    // given
    const stack = newStack();
    const gone = file('gone.yml', DOCUMENT);
    const asset = new s3assets.Asset(stack, 'Gone', { path: gone });
    const cfn = component(stack, 'Component', { uri: asset.s3ObjectUrl });
    fs.rmSync(gone);

    // when
    const source = componentSource(cfn);

    // then
    expect(source.data).toBeUndefined();
    expect(source.problem).toMatch(/^is given by an asset whose file '.*gone\.yml' cannot be read \(ENOENT/);
  });
});

describe('componentSource of data that holds tokens', () => {
  test('given the bucketName of a bucket of its stack in the data, the document is read with a token that stands for that bucket', () => {
    // given
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Artifacts');
    const cfn = component(stack, 'Component', { data: downloadDocument('fetch', `s3://${bucket.bucketName}/components/install.sh`, '/tmp/i.sh') });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.problem).toBeUndefined();
    const token = /source: s3:\/\/(\$\{Token\[[^\]]+\]\})\/components\/install.sh/.exec(source.data!)![1];
    expect(source.tokens!.bucketOf(token)).toBe(bucket);
    expect(stack.resolve(token)).toEqual({ Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) });
    expect(source.tokens!.describe(`s3://${token}/x`)).toBe('s3://<bucket Stack/Artifacts>/x');
  });

  test('given data written with Fn.sub, its variables, logical ids and pseudo parameters are read as what they stand for', () => {
    // given
    const stack = newStack();
    const cfnBucket = new s3.CfnBucket(stack, 'Raw');
    const cfn = component(stack, 'Component', {
      data: Fn.sub('source: s3://${Raw}/${AWS::Region}/${Name}/${!Literal}', { Name: 'fixed' }),
    });

    // when
    const source = componentSource(cfn);

    // then
    const [bucketToken, regionToken] = source.data!.match(/\$\{Token\[[^\]]+\]\}/g)!;
    expect(source.data!.replace(/\$\{Token\[[^\]]+\]\}/g, '<t>')).toBe('source: s3://<t>/<t>/fixed/${Literal}');
    expect(source.tokens!.bucketOf(bucketToken)!.bucketName).toBe(cfnBucket.ref);
    expect(source.tokens!.follows(regionToken)).toBe(true);
    expect(stack.resolve(regionToken)).toEqual({ Ref: 'AWS::Region' });
  });

  test('given a value it cannot follow (a parameter), the token stays, is not followed, and is named by what it is', () => {
    // given
    const stack = newStack();
    const version = new CfnParameter(stack, 'Version');
    const cfn = component(stack, 'Component', { data: `key: releases/${version.valueAsString}/app.zip` });

    // when
    const source = componentSource(cfn);

    // then
    const token = /\$\{Token\[[^\]]+\]\}/.exec(source.data!)![0];
    expect(source.tokens!.follows(token)).toBe(false);
    expect(source.tokens!.bucketOf(token)).toBeUndefined();
    expect(source.tokens!.describe(source.data!)).toBe('key: releases/<Version>/app.zip');
  });

  test('given the bucketName of a bucket of another stack with the same logical id, the token is not taken for the bucket of this stack', () => {
    // given
    const app = new App();
    const shared = new Stack(app, 'Shared');
    const theirs = new s3.Bucket(shared, 'Artifacts');
    const stack = new Stack(app, 'Stack');
    new s3.Bucket(stack, 'Artifacts');
    const cfn = component(stack, 'Component', { data: `source: s3://${theirs.bucketName}/components/install.sh` });

    // when
    const source = componentSource(cfn);

    // then
    const token = /\$\{Token\[[^\]]+\]\}/.exec(source.data!)![0];
    expect(source.tokens!.bucketOf(token)).toBeUndefined();
    expect(source.tokens!.follows(token)).toBe(false);
  });

  test('given data that is one value known only at deployment (an attribute of a custom resource), it cannot be read', () => {
    // given
    const stack = newStack();
    const resource = new CustomResource(stack, 'Document', { serviceToken: 'arn:aws:lambda:us-east-1:111122223333:function:f' });
    const cfn = component(stack, 'Component', { data: resource.getAttString('Yaml') });

    // when
    const source = componentSource(cfn);

    // then
    expect(source.data).toBeUndefined();
    expect(source.problem).toBe('has data that is not known until deployment');
  });
});
