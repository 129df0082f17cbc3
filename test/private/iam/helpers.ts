import { evaluate, Decision, PolicySource } from '../../../src/private/iam/policies';
import { EvaluationRequest } from '../../../src/private/iam/request-context';
import { Hole } from '../../../src/private/iam/text';

// the requests and policies the evaluator's unit tests are written in

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const OBJECT = 'arn:aws:s3:::team-artifacts/components/install.sh';
export const ANY_KEY: Hole = { hole: 'any key' };

export function policy(name: string, ...statements: any[]): PolicySource {
  return { name, statements };
}

export function request(overrides: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return { action: 's3:GetObject', resource: OBJECT, context: {}, absentKeys: [], ...overrides };
}

/** The decision for a request of a principal with one identity policy of these statements. */
export function decide(statements: any[], overrides: Partial<EvaluationRequest> = {}, boundary?: any[]): Decision {
  return evaluate(request(overrides), {
    identity: [policy('Identity', ...statements)],
    boundary: boundary ? policy('Boundary', ...boundary) : undefined,
  }).decision;
}

export const allow = (extra: any = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });
export const deny = (extra: any = {}) => ({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*', ...extra });
export const when = (condition: any) => allow({ Condition: condition });
