import { PolicySource } from '../../src/private/iam/policies';
import { EvaluationRequest } from '../../src/private/iam/request-context';
import { evaluateUncertain, UncertainPolicy } from '../../src/private/uncertain-policies';

const request = (bucket: string): EvaluationRequest => ({ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/key`, context: {} });
const policy = (name: string, statements: any[]): PolicySource => ({ name, statements });
const allow = (bucket: string) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` });
const deny = (bucket: string) => ({ Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` });
const maybe = (...statements: any[]): UncertainPolicy => ({ policy: policy('Maybe', statements), why: 'its Roles name a parameter' });

describe('evaluateUncertain', () => {
  test('without uncertain policies, the answer is the evaluation of the sure ones', () => {
    // given
    const input = { identity: [policy('Sure', [allow('granted')])] };

    // when / then
    expect(evaluateUncertain(request('granted'), input, []).decision).toBe('allowed');
    expect(evaluateUncertain(request('other'), input, []).decision).toBe('denied');
  });

  test('what an uncertain policy neither allows nor denies keeps the answer of the sure policies', () => {
    // given
    const input = { identity: [policy('Sure', [allow('granted')])] };
    const uncertain = [maybe(allow('maybe'), deny('guarded'))];

    // when / then
    expect(evaluateUncertain(request('granted'), input, uncertain).decision).toBe('allowed');
    expect(evaluateUncertain(request('other'), input, uncertain).decision).toBe('denied');
  });

  test('what only an uncertain policy allows, or what it denies and the sure policies allow, is unknown and names it', () => {
    // given
    const input = { identity: [policy('Sure', [allow('guarded')])] };
    const uncertain = [maybe(allow('maybe'), deny('guarded'))];

    // when
    const allowed = evaluateUncertain(request('maybe'), input, uncertain);
    const denied = evaluateUncertain(request('guarded'), input, uncertain);

    // then
    expect(allowed.decision).toBe('unknown');
    expect(denied.decision).toBe('unknown');
    expect(denied.reasons).toContain("it depends on whether 'Maybe' applies to this role (its Roles name a parameter)");
  });

  test('a Deny of a sure policy wins over an uncertain Allow, and a permissions boundary still caps it', () => {
    // given
    const sureDeny = { identity: [policy('Sure', [deny('maybe')])] };
    const capped = { identity: [], boundary: policy('Boundary', [allow('other')]) };
    const uncertain = [maybe(allow('maybe'))];

    // when / then
    expect(evaluateUncertain(request('maybe'), sureDeny, uncertain).decision).toBe('denied');
    expect(evaluateUncertain(request('maybe'), capped, uncertain).decision).toBe('denied');
  });
});
