import { ACCOUNT, allow, ANY_KEY, decide, deny, OBJECT, OTHER_ACCOUNT, policy, request } from './helpers';
import { AWS_MANAGED_POLICIES } from '../../../src/private/aws-managed-policies';
import { evaluate, EvaluationInput } from '../../../src/private/iam/policies';

// the decision across identity policies and the boundary, documents not known at synthesis, the AWS managed policies

describe('permissions boundaries', () => {
  test('a Deny of the boundary whose condition cannot be decided makes the answer unknown, as one of an identity policy does', () => {
    const denyOutsideVpce = { Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } };
    const allowAll = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

    const verdict = evaluate(request({}), { identity: [policy('I', allowAll)], boundary: policy('B', allowAll, denyOutsideVpce) });

    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons).toEqual([expect.stringContaining('aws:SourceVpce')]);
  });

  test('a request is allowed only when the boundary allows it too', () => {
    const boundary = [allow({ Action: 's3:Get*', Resource: 'arn:aws:s3:::team-artifacts/*' })];

    expect(decide([allow()], {}, boundary)).toBe('allowed');
    expect(decide([allow()], { resource: 'arn:aws:s3:::team-logs/x' }, boundary)).toBe('denied');
  });

  test('a boundary alone allows nothing', () => {
    const boundary = [allow()];

    const decision = decide([], {}, boundary);

    expect(decision).toBe('denied');
  });

  test('a Deny in the boundary denies, and the reason names the boundary', () => {
    const input = { identity: [policy('Identity', allow())], boundary: policy('Boundary', allow(), deny()) };

    const verdict = evaluate(request(), input);

    expect(verdict).toEqual({ decision: 'denied', reasons: [`statement 2 of 'Boundary' denies s3:GetObject on '${OBJECT}'`] });
  });

  test('a boundary that does not allow the request is named in the reason', () => {
    const input = { identity: [policy('Identity', allow())], boundary: policy('Boundary', allow({ Action: 's3:PutObject' })) };

    const verdict = evaluate(request(), input);

    expect(verdict.reasons).toEqual([`the permissions boundary 'Boundary' does not allow s3:GetObject on '${OBJECT}'`]);
  });
});

describe('documents not known at synthesis', () => {
  test('an unknown identity document may allow the request, and is named in the reason', () => {
    const input: EvaluationInput = { identity: [{ name: 'arn:aws:iam::111122223333:policy/Imported' }] };

    const verdict = evaluate(request(), input);

    expect(verdict).toEqual({ decision: 'unknown', reasons: ["'arn:aws:iam::111122223333:policy/Imported' is not known until deployment"] });
  });

  test('an unknown document may deny a request that another policy allows', () => {
    const input: EvaluationInput = { identity: [policy('Known', allow()), { name: 'Imported' }] };

    const verdict = evaluate(request(), input);

    expect(verdict.decision).toBe('unknown');
  });

  test('an unknown document cannot make a request allowed that a known Deny denies', () => {
    const input: EvaluationInput = { identity: [policy('Known', deny()), { name: 'Imported' }] };

    const verdict = evaluate(request(), input);

    expect(verdict.decision).toBe('denied');
  });

  test('an unknown boundary may allow or deny anything', () => {
    const input: EvaluationInput = { identity: [policy('Known', allow())], boundary: { name: 'Boundary' } };

    const verdict = evaluate(request(), input);

    expect(verdict.decision).toBe('unknown');
  });

  test('an unknown boundary is one reason, which names it as the boundary, though it may both allow and deny', () => {
    const input: EvaluationInput = { identity: [policy('Known', allow())], boundary: { name: 'Boundary' } };

    const verdict = evaluate(request(), input);

    expect(verdict.reasons).toEqual(["the permissions boundary 'Boundary' is not known until deployment"]);
  });

  test('an unknown document says why in its own sentence, when it has one', () => {
    const input: EvaluationInput = {
      identity: [policy('Known', allow()), { name: 'Imported', unknown: "the app does not hold the document of the managed policy 'Imported'" }],
      boundary: { name: 'Team', unknown: "the app does not hold the document of the permissions boundary 'Team'" },
    };

    const verdict = evaluate(request(), input);

    expect(verdict.reasons).toEqual([
      "the app does not hold the document of the managed policy 'Imported'",
      "the app does not hold the document of the permissions boundary 'Team'",
    ]);
  });

  test('a statement that is itself a token is undecidable', () => {
    const input: EvaluationInput = { identity: [policy('Known', { 'Fn::If': ['C', allow(), { Ref: 'AWS::NoValue' }] })] };

    const verdict = evaluate(request(), input);

    expect(verdict).toEqual({ decision: 'unknown', reasons: ["statement 1 of 'Known' is not known until deployment"] });
  });
});

describe('the AWS managed policies', () => {
  const imageBuilder = policy('EC2InstanceProfileForImageBuilder', ...AWS_MANAGED_POLICIES.EC2InstanceProfileForImageBuilder.statements);
  const sameAccount = { 's3:ResourceAccount': ACCOUNT, 'aws:PrincipalAccount': ACCOUNT };

  test('EC2InstanceProfileForImageBuilder reads .iso objects of the same account only when the request carries both keys', () => {
    const iso = request({ resource: 'arn:aws:s3:::team-artifacts/media/install.iso', context: sameAccount });

    expect(evaluate(iso, { identity: [imageBuilder] }).decision).toBe('allowed');
    expect(evaluate({ ...iso, context: { ...sameAccount, 's3:ResourceAccount': OTHER_ACCOUNT } }, { identity: [imageBuilder] }).decision).toBe('denied');
    expect(evaluate({ ...iso, context: {} }, { identity: [imageBuilder] }).decision).toBe('unknown');
  });

  test('EC2InstanceProfileForImageBuilder reads any key of buckets named ec2imagebuilder*, whoever owns them', () => {
    const anyKey = request({ resource: ['arn:aws:s3:::ec2imagebuilder-components/', ANY_KEY], context: { 's3:ResourceAccount': OTHER_ACCOUNT } });

    expect(evaluate(anyKey, { identity: [imageBuilder] }).decision).toBe('allowed');
  });

  test('AmazonSSMManagedInstanceCore reads every parameter', () => {
    const core = policy('AmazonSSMManagedInstanceCore', ...AWS_MANAGED_POLICIES.AmazonSSMManagedInstanceCore.statements);
    const parameter = request({ action: 'ssm:GetParameter', resource: ['arn:aws:ssm:us-east-1:111122223333:parameter/', ANY_KEY] });

    expect(evaluate(parameter, { identity: [core] }).decision).toBe('allowed');
  });
});
