import { App, Aws, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { checkProperty, iamGlobMatches } from './property-helpers';
import { ArnScope, parameterArn, parameterTarget, secretArnPattern } from '../../src/private/ssm-references';

// property runs take tens of seconds on a busy 2-core machine; jest's default of 5 s would cut them off
jest.setTimeout(180_000);

const SCOPE: ArnScope = { partition: 'aws', region: 'us-east-2', account: '111122223333' };

describe('parameterTarget: Parameter Store parameters', () => {
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
  test.each([
    ['/my/test/param', 'my/test/param'],
    ['/Dev/Production/East/Project-ABC/MyParameter', 'Dev/Production/East/Project-ABC/MyParameter'],
    ['MyParameter1', 'MyParameter1'],
    ['/MyParameter2', 'MyParameter2'],
    ['  /padded/name  ', 'padded/name'],
    ['/Level-1/L2/L3/L4/L5/L6/L7/L8/L9/L10/L11/L12/L13/L14/parameter-name', 'Level-1/L2/L3/L4/L5/L6/L7/L8/L9/L10/L11/L12/L13/L14/parameter-name'],
  ])('%s is the parameter whose ARN ends in parameter/%s', (name, resourceName) => {
    // when
    const target = parameterTarget(name);

    // then
    expect(target).toEqual({ kind: 'parameter', resourceName, publicParameter: false });
  });

  test("'/TestParam1' and 'TestParam1' are the same parameter, as Parameter Store says", () => {
    // when / then
    expect(parameterTarget('/TestParam1')).toEqual(parameterTarget('TestParam1'));
  });

  test('a version or label after the name selects a version of the same parameter', () => {
    // when / then
    expect(parameterTarget('/my/param:3')).toEqual({ kind: 'parameter', resourceName: 'my/param', publicParameter: false, selector: '3' });
    expect(parameterTarget('MyParam:prod-label')).toEqual({ kind: 'parameter', resourceName: 'MyParam', publicParameter: false, selector: 'prod-label' });
  });

  test('a parameter under /aws/service/ is an AWS public parameter', () => {
    // given: https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
    const name = '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2';

    // when
    const target = parameterTarget(name);

    // then
    expect(target).toEqual({ kind: 'parameter', resourceName: 'aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2', publicParameter: true });
  });

  test.each([
    ['', 'the name is empty'],
    ['   ', 'the name is empty'],
    ['MyParameter3/L1', "'MyParameter3/L1' is in a hierarchy but does not start with '/', so it is not fully qualified"],
    ['my/param', "'my/param' is in a hierarchy but does not start with '/', so it is not fully qualified"],
    ['/my param', "'/my param' has characters that parameter names cannot hold"],
    ['/my/*', "'/my/*' has characters that parameter names cannot hold"],
    ['/my/$x?', 'has characters that parameter names cannot hold'],
    ['/a//b', "'/a//b' has an empty level"],
    ['/a/', "'/a/' has an empty level"],
    ['/', "'/' has an empty level"],
    ['awsTestParameter', "'awsTestParameter' begins with 'aws' or 'ssm', which are reserved"],
    ['SSM-testparameter', "'SSM-testparameter' begins with 'aws' or 'ssm', which are reserved"],
    ['/aws/testparam1', "'/aws/testparam1' begins with 'aws' or 'ssm', which are reserved"],
    ['/Level-1/L2/L3/L4/L5/L6/L7/L8/L9/L10/L11/L12/L13/L14/L15/L16/parameter-name', 'has 17 levels, more than the 15'],
    ['/a:b:c', 'is not a parameter name followed by an optional :version or :label'],
    ['/a:', 'is not a parameter name followed by an optional :version or :label'],
    ['{{ env }}/param', 'holds another {{ }} reference'],
    [42 as unknown as string, 'the name is not a string'],
    [`/${'a'.repeat(2048)}`, 'has 2049 characters, more than the 2048'],
  ])('%j is invalid: %s', (name, problem) => {
    // when
    const target = parameterTarget(name);

    // then
    expect(target.kind).toEqual('invalid');
    expect(target.kind === 'invalid' && target.problem).toContain(problem);
  });

  test('a name that is a token is invalid', () => {
    // when
    const target = parameterTarget(`/app/${Aws.ACCOUNT_ID}`);

    // then
    expect(target).toEqual({ kind: 'invalid', problem: 'the name holds a token, known only at deployment' });
  });
});

describe('parameterTarget: Secrets Manager secrets through Parameter Store', () => {
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
  test('a secret by name, as in the AWSTOE documentation, is a secret read through its reference parameter', () => {
    // when
    const target = parameterTarget('/aws/reference/secretsmanager/test/test-secret');

    // then
    expect(target).toEqual({ kind: 'secret', secretId: 'test/test-secret', byArn: false, resourceName: 'aws/reference/secretsmanager/test/test-secret' });
  });

  test.each([
    ['/aws/reference/secretsmanager/s1-secret:AWSCURRENT', 's1-secret', 'AWSCURRENT'],
    ['/aws/reference/secretsmanager/s1-secret:11111-aaa-bbb-ccc-123456789', 's1-secret', '11111-aaa-bbb-ccc-123456789'],
  ])('%s selects a version of the secret', (name, secretId, selector) => {
    // when / then
    expect(parameterTarget(name)).toMatchObject({ kind: 'secret', secretId, byArn: false, selector });
  });

  test('a secret by ARN keeps its ARN, with an optional version after it', () => {
    // given
    const arn = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:s1-secret-E18LRP';

    // when / then
    expect(parameterTarget(`/aws/reference/secretsmanager/${arn}`)).toEqual({
      kind: 'secret', secretId: arn, byArn: true, resourceName: `aws/reference/secretsmanager/${arn}`,
    });
    expect(parameterTarget(`/aws/reference/secretsmanager/${arn}:AWSPREVIOUS`)).toMatchObject({ secretId: arn, selector: 'AWSPREVIOUS' });
  });

  test.each([
    ['/aws/reference/secretsmanager/', 'is not a secret name'],
    ['/aws/reference/secretsmanager/my secret', 'is not a secret name'],
    ['/aws/reference/secretsmanager/a:b:c', 'is not a secret name'],
    ['/aws/reference/secretsmanager/arn:aws:secretsmanager:us-east-2:123:secret:x', 'is not a secret name or a secret ARN'],
    ['/aws/reference/secretsmanager/arn:aws:ssm:us-east-2:123456789012:parameter/x', 'is not a secret name or a secret ARN'],
    ['/aws/reference/other/thing', "begins with 'aws' or 'ssm', which are reserved"],
    ['/aws/reference/secretsmanager/s1-secret:', "'' after the secret 's1-secret' is not a version id or version stage"],
    ['/aws/reference/secretsmanager/arn:aws:secretsmanager:us-east-2:123456789012:secret:s1-secret-E18LRP:a b',
      "'a b' after the secret 'arn:aws:secretsmanager:us-east-2:123456789012:secret:s1-secret-E18LRP' is not a version id or version stage"],
  ])('%s is invalid', (name, problem) => {
    // when
    const target = parameterTarget(name);

    // then
    expect(target.kind === 'invalid' && target.problem).toContain(problem);
  });
});

describe('parameterTarget: ARNs', () => {
  // GetParameter takes a name or an ARN: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
  test.each([
    ['arn:aws:ssm:us-east-1:123456789012:parameter/my/param', 'arn:aws:ssm:us-east-1:123456789012:parameter/my/param', undefined],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/MyParam:2', 'arn:aws:ssm:us-east-1:123456789012:parameter/MyParam', '2'],
    ['arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/x', 'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/x', undefined],
    ['arn:aws:ssm:us-east-2::parameter/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-ebs',
      'arn:aws:ssm:us-east-2::parameter/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-ebs', undefined],
  ])('%s is a parameter given by its ARN', (name, arn, selector) => {
    // when / then
    expect(parameterTarget(name)).toEqual({ kind: 'arn', arn, ...(selector ? { selector } : {}) });
  });

  test.each([
    ['arn:aws:secretsmanager:us-east-2:123456789012:secret:s1-secret-E18LRP', 'is a Secrets Manager ARN'],
    ['arn:aws:s3:::bucket/key', 'is not a parameter ARN'],
    ['arn:aws:ssm:us-east-1:123:parameter/x', 'is not a parameter ARN'],
    ['arn:aws:ssm:us-east-1:123456789012:document/x', 'is not a parameter ARN'],
    ['arn:aws:ssm:us-east-1::parameter/my/param', 'has no account, which only AWS public parameters have'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/aws/service/x', 'has an account, which AWS public parameters do not have'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/a b', 'has characters that parameter names cannot hold'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/x:a b', 'is not a parameter ARN followed by an optional :version or :label'],
  ])('%s is invalid', (name, problem) => {
    // when
    const target = parameterTarget(name);

    // then
    expect(target.kind === 'invalid' && target.problem).toContain(problem);
  });
});

describe('ARN patterns', () => {
  test('a parameter ARN holds the name without its leading slash', () => {
    // given
    const target = parameterTarget('/my/test/param');

    // when
    const arn = target.kind === 'parameter' ? parameterArn(target.resourceName, target.publicParameter, SCOPE) : undefined;

    // then
    expect(arn).toEqual('arn:aws:ssm:us-east-2:111122223333:parameter/my/test/param');
  });

  test('the ARN of an AWS public parameter has no account, like the ARNs that Parameter Store returns for them', () => {
    // given
    const target = parameterTarget('/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-ebs');

    // when
    const arn = target.kind === 'parameter' ? parameterArn(target.resourceName, target.publicParameter, SCOPE) : undefined;

    // then: the ARN in the documented get-parameters-by-path output
    expect(arn).toEqual('arn:aws:ssm:us-east-2::parameter/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-ebs');
  });

  test('a secret by name is matched with the six characters that Secrets Manager appends, and nothing longer', () => {
    // when
    const pattern = secretArnPattern('s1-secret', false, SCOPE);

    // then
    expect(pattern).toEqual('arn:aws:secretsmanager:us-east-2:111122223333:secret:s1-secret-??????');
    expect(iamGlobMatches(pattern, 'arn:aws:secretsmanager:us-east-2:111122223333:secret:s1-secret-E18LRP')).toBe(true);
    expect(iamGlobMatches(pattern, 'arn:aws:secretsmanager:us-east-2:111122223333:secret:s1-secret-other-E18LRP')).toBe(false);
    expect(iamGlobMatches(pattern, 'arn:aws:secretsmanager:us-east-2:111122223333:secret:s1-secret2-E18LRP')).toBe(false);
  });

  test('a secret by complete ARN is that ARN; by partial ARN, the ARN and the six characters', () => {
    // when / then
    expect(secretArnPattern('arn:aws:secretsmanager:us-east-2:123456789012:secret:s1-secret-E18LRP', true, SCOPE))
      .toEqual('arn:aws:secretsmanager:us-east-2:123456789012:secret:s1-secret-E18LRP');
    expect(secretArnPattern('arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db', true, SCOPE))
      .toEqual('arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db-??????');
  });

  test('literal *, ? and $ in names are escaped, and tokens in the scope are kept', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const scope: ArnScope = { partition: Aws.PARTITION, region: Aws.REGION, account: Aws.ACCOUNT_ID };

    // when
    const parameter = parameterArn('a*b?c$d', false, scope);
    const secret = secretArnPattern('a*b', false, SCOPE);

    // then
    expect(stack.resolve(parameter)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/a${*}b${?}c${$}d']],
    });
    expect(secret).toEqual('arn:aws:secretsmanager:us-east-2:111122223333:secret:a${*}b-??????');
  });
});

describe('parameterTarget (property)', () => {
  const level = fc.array(fc.constantFrom(...'abcXYZ019_.-'), { minLength: 1, maxLength: 8 }).map(chars => chars.join(''))
    .filter(text => !/^(aws|ssm)/i.test(text));
  const name = fc.tuple(fc.array(level, { minLength: 1, maxLength: 15 }), fc.boolean())
    .map(([levels, slash]) => (levels.length > 1 || slash ? '/' : '') + levels.join('/'));

  test('every valid name is a parameter whose ARN matches the ARN of that parameter, and no other', () => {
    checkProperty(fc.property(name, level, (parameterName, other) => {
      // when
      const target = parameterTarget(parameterName);

      // then
      expect(target.kind).toEqual('parameter');
      const resourceName = parameterName.replace(/^\//, '');
      const arn = parameterArn(target.kind === 'parameter' ? target.resourceName : '', false, SCOPE);
      expect(iamGlobMatches(arn, `arn:aws:ssm:us-east-2:111122223333:parameter/${resourceName}`)).toBe(true);
      expect(iamGlobMatches(arn, `arn:aws:ssm:us-east-2:111122223333:parameter/${resourceName}/${other}`)).toBe(false);
    }), 300);
  });

  test('any string gives a target without throwing', () => {
    checkProperty(fc.property(fc.oneof(fc.string({ unit: 'binary' }), name.map(n => `/aws/reference/secretsmanager${n}`),
      fc.string().map(s => `arn:aws:ssm:${s}`)), (text) => {
      // when
      const target = parameterTarget(text);

      // then
      expect(['parameter', 'secret', 'arn', 'invalid']).toContain(target.kind);
    }), 500);
  });
});
